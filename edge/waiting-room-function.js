import cf from 'cloudfront';
import crypto from 'crypto';

// The waiting room at the edge: a CloudFront Function (JavaScript runtime 2.0, viewer request).
// Names and formats: contracts/waiting-room.ts. Why it works this way:
// docs/decisions/waiting-room-edge.md. Keep it under 10 KB (CloudFront's limit; a test checks).
const kvs = cf.kvs();
const STATE_KEY = 'waiting-room';
const TICKET = 'saleday-wr-ticket';
const PASS = 'saleday-wr-pass';
const JOIN = '/_gate/queue/join';
const HEADER = 'saleday-waiting-room';
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const NUMBER = /^\d{1,15}$/;
const COOKIE_ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=';

async function handler(event) {
  const request = event.request;
  if (request.uri === JOIN || request.method === 'OPTIONS') return request;
  const state = await read(STATE_KEY, 'json');
  if (!state || state.open !== true) return request;
  const now = Date.now();
  const pass = await verify(cookie(request, PASS), 'p1', 6);
  if (pass && +pass[2] > now) {
    // Renewal is a redirect to the same URL: a viewer-request function cannot touch the origin's answer.
    const renew = +pass[2] - now < (state.passSeconds * 1000) / 3 && +pass[2] < +pass[3];
    return renew ? admit(request, state, pass[1], +pass[3], pass[4], now, 'renewed') : request;
  }
  const ticket = await verify(cookie(request, TICKET), 't1', 5);
  if (!ticket || +ticket[2] < state.ticketsFromMs) return join(request);
  const place = placeOf(state, +ticket[1], +ticket[2]);
  const below = admittedBelow(state, now);
  if (place >= 0 && place < below) {
    // A ticket whose turn passed longer ago than a pass may last is spent: join again.
    if (below - place > Math.max(1, state.ratePerSecond) * state.passMaxSeconds) return join(request);
    return admit(request, state, ticket[1], now + state.passMaxSeconds * 1000, ticket[3], now, 'admitted');
  }
  return waiting(request, state, place, now);
}

async function read(key, format) {
  try {
    return await kvs.get(key, { format: format });
  } catch (e) {
    return null;
  }
}

function cookie(request, name) {
  const c = request.cookies && request.cookies[name];
  return c ? c.value : '';
}

function sign(secret, payload) {
  return crypto.createHmac('sha256', secret).update(payload).digest('base64url');
}

function sameText(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// `<payload>.<signature>`: the payload's fields (version, number, …, kid last) if the signature holds.
async function verify(value, version, count) {
  const dot = value.lastIndexOf('.');
  if (dot < 0) return null;
  const payload = value.slice(0, dot);
  const fields = payload.split(':');
  const kid = fields[count - 1];
  if (fields.length !== count || fields[0] !== version || !KEY_ID.test(kid)) return null;
  for (let i = 1; i < count - 2; i++) if (!NUMBER.test(fields[i])) return null;
  const secret = await read(STATE_KEY + '.key.' + kid, 'string');
  if (!secret || !sameText(value.slice(dot + 1), sign(secret, payload))) return null;
  return fields;
}

function admittedBelow(state, now) {
  return state.ticket0 + Math.floor((state.ratePerSecond * Math.max(0, now - state.t0Ms)) / 1000);
}

// The ticket's place in line; -1 while its pre-queue order is not drawn yet.
function placeOf(state, number, issuedAtMs) {
  const k = number - state.preQueueStart;
  if (k >= 0 && k < state.preQueueSize) return state.preQueueStart + shuffle(k, state.preQueueSize, state.shuffleSeed);
  if (!state.shuffleSeed && issuedAtMs < state.preQueueUntilMs) return -1;
  return number;
}

// A keyed permutation of [0, size): a 4-round Feistel network on 2h bits, cycle-walking into range.
function shuffle(number, size, seed) {
  let h = 1;
  while (Math.pow(4, h) < size) h++;
  const mask = (1 << h) - 1;
  let x = number;
  do {
    let left = x >>> h;
    let right = x & mask;
    for (let round = 0; round < 4; round++) {
      const f = parseInt(
        crypto
          .createHmac('sha256', seed)
          .update(round + ':' + right)
          .digest('hex')
          .slice(0, 8),
        16,
      );
      const next = left ^ (f & mask);
      left = right;
      right = next;
    }
    x = left * (mask + 1) + right;
  } while (x >= size);
  return x;
}

function sameUrl(request) {
  const parts = [];
  const query = request.querystring || {};
  for (const name in query) {
    const q = query[name];
    const values = q.multiValue ? q.multiValue : [q];
    for (let i = 0; i < values.length; i++) parts.push(values[i].value === '' ? name : name + '=' + values[i].value);
  }
  return request.uri + (parts.length ? '?' + parts.join('&') : '');
}

function redirect(request, location, why, cookies) {
  const safe = request.method === 'GET' || request.method === 'HEAD';
  const headers = { location: { value: location }, 'cache-control': { value: 'no-store' } };
  headers[HEADER] = { value: why };
  return {
    statusCode: safe ? 302 : 307,
    statusDescription: safe ? 'Found' : 'Temporary Redirect',
    headers: headers,
    cookies: cookies || {},
  };
}

function join(request) {
  return redirect(request, JOIN + '?next=' + encodeURIComponent(sameUrl(request)), 'join');
}

async function admit(request, state, number, capAtMs, identityHash, now, why) {
  const kid = state.keyId;
  const secret = KEY_ID.test(kid) ? await read(STATE_KEY + '.key.' + kid, 'string') : null;
  if (!secret) return request; // cannot sign a pass: let the gate, which checks passes too, decide
  const expiresAtMs = Math.min(now + state.passSeconds * 1000, capAtMs);
  const payload = ['p1', number, expiresAtMs, capAtMs, identityHash, kid].join(':');
  const cookies = {};
  cookies[PASS] = {
    value: payload + '.' + sign(secret, payload),
    attributes: COOKIE_ATTRIBUTES + Math.ceil((capAtMs - now) / 1000),
  };
  if (why === 'admitted') cookies[TICKET] = { value: '', attributes: COOKIE_ATTRIBUTES + '0' };
  return redirect(request, sameUrl(request), why, cookies);
}

// The estimate's rate: estimateRatePerSecond if it is a number ≥ 0 (0: not measured yet), else the rate.
function estimateRate(state) {
  const e = state.estimateRatePerSecond;
  return typeof e === 'number' && e >= 0 && e < Infinity ? e : state.ratePerSecond;
}

function status(state, place, now) {
  if (place < 0) {
    return {
      status: 'pre-queue',
      position: null,
      peopleAhead: null,
      estimatedWaitSeconds: null,
      estimating: false,
      opensAtMs: state.preQueueUntilMs,
      ratePerSecond: state.ratePerSecond,
    };
  }
  const ahead = Math.max(0, place - admittedBelow(state, now));
  const rate = state.ratePerSecond;
  const e = estimateRate(state);
  // When admittedBelow passes `place`: ticket0 + rate × (t − t0) / 1000 = place + 1; the tickets left are timed at e.
  const waitMs = rate > 0 ? ((place + 1 - state.ticket0) * 1000) / rate - (now - state.t0Ms) : -1;
  return {
    status: 'waiting',
    position: ahead + 1,
    peopleAhead: ahead,
    estimatedWaitSeconds: rate > 0 && e > 0 ? Math.max(0, Math.round((waitMs * (rate / e)) / 1000)) : null,
    estimating: rate > 0 && e === 0,
    opensAtMs: 0,
    ratePerSecond: rate,
  };
}

function waiting(request, state, place, now) {
  const s = status(state, place, now);
  // Estimating: back when the line would reach this place at the current rate, and soon, to show the estimate.
  const until =
    s.status === 'pre-queue'
      ? (s.opensAtMs - now) / 1000
      : s.estimating
        ? Math.min(10, s.peopleAhead / s.ratePerSecond / 2)
        : s.estimatedWaitSeconds === null
          ? 20
          : s.estimatedWaitSeconds / 2;
  // Neighbours in line would come back in step and be let in in clumps: spread them by place.
  const spread = s.status === 'pre-queue' ? 1 : 0.5 + 0.5 * ((place * 0.6180339887) % 1);
  const refresh = Math.min(30, Math.max(2, Math.ceil(until * spread)));
  const accept = request.headers.accept ? request.headers.accept.value : '';
  const json = accept.indexOf('application/json') >= 0 && accept.indexOf('text/html') < 0;
  const headers = { 'cache-control': { value: 'no-store' }, 'retry-after': { value: String(refresh) } };
  headers[HEADER] = { value: 'waiting' };
  headers['content-type'] = { value: json ? 'application/json' : 'text/html; charset=utf-8' };
  // JSON callers were not served, so they get 503 + Retry-After; a person gets a page that refreshes itself.
  return {
    statusCode: json ? 503 : 200,
    statusDescription: json ? 'Service Unavailable' : 'OK',
    headers: headers,
    body: json ? JSON.stringify(s) : page(s, refresh),
  };
}

function page(s, refresh) {
  const line =
    s.status === 'pre-queue'
      ? 'The sale opens at ' +
        new Date(s.opensAtMs).toISOString().slice(11, 16) +
        ' UTC. Everyone here before then gets a random place in line at the opening.'
      : 'You are number ' +
        s.position +
        ' in line.' +
        (s.estimating
          ? ' Estimating your wait&hellip;'
          : s.estimatedWaitSeconds === null
            ? ''
            : ' Estimated wait: ' + minutes(s.estimatedWaitSeconds) + '.');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">' +
    '<meta http-equiv="refresh" content="' +
    refresh +
    '"><title>You are in line</title></head>' +
    '<body style="font-family:system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em">' +
    '<h1>You are in line</h1><p>' +
    line +
    '</p><p>Keep this page open: it refreshes itself and lets you in when it is your turn.</p></body></html>'
  );
}

function minutes(seconds) {
  return seconds < 90 ? seconds + ' seconds' : Math.round(seconds / 60) + ' minutes';
}
