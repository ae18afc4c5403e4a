#!/usr/bin/env node
// A webhook receiver for integration tests, loopback only.
//
//   node receiver.js --port 0 --log /tmp/requests.jsonl [--host 127.0.0.1]
//                    [--tls-cert cert.pem --tls-key key.pem [--tls-max-version TLSv1.1]]
//
// With --tls-cert and --tls-key it speaks https (TLS 1.2 or later) with
// that certificate chain; otherwise plain http. --tls-max-version TLSv1.1
// makes it a legacy server instead: TLS 1.0 and 1.1 only.
// Prints "listening <port>" on stdout once it accepts connections. Every
// request is appended to the log as one JSON line *before* it is answered:
//   {method, path, query, headers, body, body_bytes, body_sha256, received_at_ms}
// (path without the query string; query as an object; headers lower-cased;
// body as UTF-8 text, or null above 64 kB: the tests read the log again and
// again, and megabyte lines slowed every later read enough to break their
// timing; body_bytes its length; body_sha256 is the hex SHA-256 of the raw bytes, to
// compare with webhook.delivery.payload_hash; received_at_ms is when the
// request's headers arrived, Unix milliseconds, fractional).
//
// The first path segment picks the behaviour, the second is its argument;
// further segments and the query string are ignored, so a test can give
// each endpoint a distinct URL with the same behaviour (/ok/a, /ok/b).
//   /ok                        204
//   /status/<code>             that status (body "status <code>" where allowed)
//   /delay/<ms>                wait, then 200
//   /hang                      never answers
//   /trickle                   200 headers, then one byte per second, forever
//   /huge/<bytes>              200 with that many bytes, streamed
//   /retry-after/<s>           429 with "Retry-After: <s>"
//   /retry-after-date/<s>      429 with Retry-After as an HTTP date <s> ahead
//   /unavailable/<s>           503 with "Retry-After: <s>"
//   /redirect                  302 to /ok
//   /bytes                     200 with "caf\xc3\xa9 \xff\x00 end": UTF-8, a byte
//                              that is not UTF-8, and a NUL
//   /flaky/<n>                 500 for the first n requests carrying a given
//                              webhook-id, then 200
//   /reset-body                200 promising 1000 bytes, 7 sent, then the
//                              connection is reset
//   /reset-status              the status line "HTTP/1.1 200 OK", then a reset
//   /http10                    an HTTP/1.0 200 without content-length, ended
//                              by closing the connection
//   /close                     204 with "Connection: close"
//   /idle-close                204, then the connection is closed 100 ms later
//                              (a pooled connection the server has dropped)
//   /drop-reused              204 on a new connection; on a kept one, the
//                              request is read and the connection closed
//                              unanswered (a keep-alive race lost)
//   /interim                   "102 Processing" and "103 Early Hints", then 200
//   /gzip                      200 with a gzip-encoded body ("compressed")
//   /headers/<n>               204 with n extra headers
//   /retry-after-raw/<code>    that status with the query's "v" as Retry-After,
//                              verbatim (/retry-after-raw/429?v=Sun...)
//   /stray-body/<ms>           204 announcing a 9-byte body, which follows <ms>
//                              later on the connection, kept alive
//   /raw/<case>                bytes written on the socket by hand, for what
//                              a well-behaved server never sends (see rawAnswer)
//   anything else              404
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const zlib = require('node:zlib');

function parseArguments(argv) {
  const options = {
    port: 0, host: '127.0.0.1', log: null, tlsCert: null, tlsKey: null, tlsMaxVersion: null,
  };
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${name}`);
    if (name === '--port') options.port = Number(value);
    else if (name === '--host') options.host = value;
    else if (name === '--log') options.log = value;
    else if (name === '--tls-cert') options.tlsCert = value;
    else if (name === '--tls-key') options.tlsKey = value;
    else if (name === '--tls-max-version') options.tlsMaxVersion = value;
    else throw new Error(`unknown option ${name}`);
  }
  if (!options.log) throw new Error('--log FILE is required');
  if (!options.tlsCert !== !options.tlsKey) {
    throw new Error('--tls-cert and --tls-key go together');
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port must be an integer between 0 and 65535');
  }
  return options;
}

const options = parseArguments(process.argv);
const flakyCounts = new Map(); // webhook-id -> requests seen on /flaky
const socketsServed = new WeakMap(); // socket -> requests it has carried

function logRequest(entry) {
  // Synchronous append: the line is on disk before the answer leaves, so a
  // test that saw the HTTP exchange end also sees the log line.
  fs.appendFileSync(options.log, JSON.stringify(entry) + '\n');
}

function nonNegativeInteger(text, fallback) {
  const value = Number(text);
  return Number.isInteger(value) && value >= 0 ? value : fallback;
}

function answer(response, status, headers, body) {
  const bodyAllowed = !(status < 200 || status === 204 || status === 304);
  const text = bodyAllowed && body !== undefined ? body : '';
  response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

function streamBytes(response, total) {
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let remaining = total;
  const pump = () => {
    while (remaining > 0) {
      const size = Math.min(remaining, chunk.length);
      remaining -= size;
      if (!response.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
        response.once('drain', pump);
        return;
      }
    }
    response.end();
  };
  response.on('close', () => { remaining = 0; });
  pump();
}

function trickle(response) {
  response.writeHead(200, { 'content-type': 'text/plain' });
  response.flushHeaders();
  const timer = setInterval(() => response.write('.'), 1000);
  response.on('close', () => clearInterval(timer));
}

// Answers that no HTTP library would send, written on the socket itself.
// Each closes the connection once written (Node would hold a next request
// on it behind the response it thinks unanswered); an endless stream stops
// when the client goes away or after a minute.
function rawAnswer(socket, name, argument) {
  const size = nonNegativeInteger(argument, 0);
  const streamForever = (head, piece) => {
    socket.write(head);
    const stopAt = Date.now() + 60 * 1000;
    const pump = () => {
      while (!socket.destroyed && Date.now() < stopAt) {
        if (!socket.write(piece)) return socket.once('drain', pump);
      }
      return socket.destroy();
    };
    socket.on('error', () => {});
    pump();
  };
  switch (name) {
    case 'long-header': // one header line of <size> bytes, then a 200
      socket.write('HTTP/1.1 200 OK\r\nx-long: ');
      socket.write(Buffer.alloc(size, 0x62));
      return socket.end('\r\ncontent-length: 2\r\n\r\nok');
    case 'endless-headers': // header lines for ever (a minute)
      return streamForever('HTTP/1.1 200 OK\r\n', `x-more: ${'c'.repeat(200)}\r\n`.repeat(256));
    case 'continue': // 100 Continue unasked, then the real answer
      return socket.end('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 4\r\n\r\nmade');
    case 'no-content-body': // a 204 (or the status in argument) with a body
      return socket.end(`HTTP/1.1 ${size || 204} Whatever\r\ncontent-length: 9\r\n\r\nleftover!`);
    case 'bad-status-line':
      return socket.end('HTTP/1.1 2OO OK\r\ncontent-length: 2\r\n\r\nok');
    case 'garbage':
      return socket.end('this is not http at all\r\n\r\n');
    case 'status': // that status code, whatever it is (0 to 999), with an empty body
      return socket.end(`HTTP/1.1 ${String(size).padStart(3, '0')} Odd\r\ncontent-length: 0\r\n\r\n`);
    case 'interim-only': // a 1xx and then the connection closed
      return socket.end(`HTTP/1.1 ${size || 103} Interim\r\n\r\n`);
    case 'chunked-cut': // a chunked 200 that breaks off inside a chunk
      socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n10\r\nsec');
      return setTimeout(() => socket.end(), 100);
    case 'nothing': // the connection closed before any byte
      return socket.destroy();
    default:
      return socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n');
  }
}

function respond(request, response, path) {
  const [, behaviour = '', argument = ''] = path.split('/');
  switch (behaviour) {
    case 'ok':
      return answer(response, 204, {});
    case 'status': {
      const code = nonNegativeInteger(argument, 0);
      if (code < 100 || code > 999) return answer(response, 400, {}, 'bad status code\n');
      return answer(response, code, { 'content-type': 'text/plain' }, `status ${code}`);
    }
    case 'delay': {
      const ms = nonNegativeInteger(argument, 0);
      const timer = setTimeout(() => answer(response, 200, { 'content-type': 'text/plain' }, `delayed ${ms}`), ms);
      response.on('close', () => clearTimeout(timer));
      return undefined;
    }
    case 'hang':
      return undefined; // keep the socket open and never answer
    case 'trickle':
      return trickle(response);
    case 'huge':
      return streamBytes(response, nonNegativeInteger(argument, 0));
    case 'retry-after':
      return answer(response, 429, { 'retry-after': argument }, 'slow down');
    case 'retry-after-date': {
      const at = new Date(Date.now() + nonNegativeInteger(argument, 0) * 1000);
      return answer(response, 429, { 'retry-after': at.toUTCString() }, 'slow down');
    }
    case 'unavailable':
      return answer(response, 503, { 'retry-after': argument }, 'unavailable');
    case 'redirect':
      return answer(response, 302, { location: '/ok' }, 'moved');
    case 'bytes': {
      const body = Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9, 0x20, 0xff, 0x00, 0x20, 0x65, 0x6e, 0x64]);
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      return response.end(body);
    }
    case 'flaky': {
      const failures = nonNegativeInteger(argument, 0);
      const id = String(request.headers['webhook-id'] ?? '');
      const seen = (flakyCounts.get(id) ?? 0) + 1;
      flakyCounts.set(id, seen);
      if (seen <= failures) return answer(response, 500, { 'content-type': 'text/plain' }, `failure ${seen} of ${failures}`);
      return answer(response, 200, { 'content-type': 'text/plain' }, `ok after ${failures} failures`);
    }
    case 'reset-body':
      response.writeHead(200, { 'content-type': 'text/plain', 'content-length': 1000 });
      response.write('partial');
      return setTimeout(() => response.socket.resetAndDestroy(), 100);
    case 'reset-status':
      response.socket.write('HTTP/1.1 200 OK\r\n');
      return setTimeout(() => response.socket.resetAndDestroy(), 100);
    case 'http10':
      response.socket.end('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nold style');
      return undefined;
    case 'close':
      response.shouldKeepAlive = false;
      return answer(response, 204, { connection: 'close' });
    case 'idle-close': {
      const socket = response.socket;
      answer(response, 204, {});
      return setTimeout(() => socket.destroy(), 100);
    }
    case 'drop-reused':
      if (socketsServed.get(response.socket) > 1) return response.socket.destroy();
      return answer(response, 204, {});
    case 'interim':
      response.writeProcessing();
      response.writeEarlyHints({ link: '</style.css>; rel=preload' });
      return setTimeout(() => answer(response, 200, { 'content-type': 'text/plain' }, 'final'), 50);
    case 'gzip': {
      const body = zlib.gzipSync('compressed');
      response.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip', 'content-length': body.length });
      return response.end(body);
    }
    case 'headers': {
      const headers = {};
      for (let i = 0; i < Math.min(nonNegativeInteger(argument, 0), 10000); i++) headers[`x-header-${i}`] = `value ${i}`;
      return answer(response, 204, headers);
    }
    case 'retry-after-raw': {
      const code = nonNegativeInteger(argument, 429);
      const value = new URL(request.url, 'http://receiver.invalid').searchParams.get('v') ?? '';
      return answer(response, code, { 'retry-after': value }, 'retry later');
    }
    case 'stray-body': { // bytes that belong to no response, then the connection is reused
      const socket = response.socket;
      response.writeHead(204, { 'content-length': 9 });
      response.end();
      const timer = setTimeout(() => socket.destroyed || socket.write('leftover!'), nonNegativeInteger(argument, 0));
      return socket.once('close', () => clearTimeout(timer));
    }
    case 'raw':
      return rawAnswer(response.socket, argument, path.split('/')[3] ?? '');
    default:
      return answer(response, 404, { 'content-type': 'text/plain' }, 'no such behaviour');
  }
}

function handle(request, response) {
  const receivedAtMs = performance.timeOrigin + performance.now();
  socketsServed.set(request.socket, (socketsServed.get(request.socket) ?? 0) + 1);
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const url = new URL(request.url, 'http://receiver.invalid');
    const raw = Buffer.concat(chunks);
    logRequest({
      method: request.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body: raw.length <= 65536 ? raw.toString('utf8') : null,
      body_bytes: raw.length,
      body_sha256: crypto.createHash('sha256').update(raw).digest('hex'),
      received_at_ms: receivedAtMs,
    });
    respond(request, response, url.pathname);
  });
}

const server = options.tlsCert
  ? https.createServer({
      cert: fs.readFileSync(options.tlsCert),
      key: fs.readFileSync(options.tlsKey),
      ...(options.tlsMaxVersion
        ? { minVersion: 'TLSv1', maxVersion: options.tlsMaxVersion, ciphers: 'DEFAULT:@SECLEVEL=0' }
        : { minVersion: 'TLSv1.2' }),
    }, handle)
  : http.createServer(handle);

// /hang and /trickle must outlive any client timeout under test.
server.requestTimeout = 0;
server.headersTimeout = 0;
server.timeout = 0;
server.keepAliveTimeout = 60 * 1000;

server.on('clientError', (error, socket) => {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
});

server.listen(options.port, options.host, () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

function shutDown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutDown);
process.on('SIGINT', shutDown);
