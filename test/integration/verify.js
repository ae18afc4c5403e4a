#!/usr/bin/env node
// Verifies one logged request with the standardwebhooks package, the way a
// receiver's developer would:
//
//   node verify.js whsec_... < one-line-of-the-receiver-log.json
//
// Exit 0: the signature is valid. Exit 1: it is not (the reason on stderr).
// Exit 2: the call itself is wrong (no secret, stdin not a logged request),
// so that a negative test cannot pass because of a broken invocation.
'use strict';

const { Webhook } = require('standardwebhooks');

function usageError(message) {
  process.stderr.write(`verify.js: ${message}\n`);
  process.exit(2);
}

const secret = process.argv[2];
if (!secret || process.argv.length !== 3) usageError('usage: node verify.js whsec_SECRET < logged-request.json');

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  let request;
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    usageError(`stdin is not JSON: ${error.message}`);
  }
  if (typeof request !== 'object' || request === null || typeof request.body !== 'string' || typeof request.headers !== 'object') {
    usageError('stdin must be one logged request with "headers" and "body"');
  }

  let webhook;
  try {
    webhook = new Webhook(secret);
  } catch (error) {
    usageError(`bad secret: ${error.message}`);
  }
  try {
    webhook.verify(request.body, request.headers);
  } catch (error) {
    process.stderr.write(`invalid: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write('valid\n');
  process.exit(0);
});
