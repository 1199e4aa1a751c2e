// ATS dashboard: a small single-page app over the admin API (docs/openapi.yaml). It uses only
// that API, signed in with a session cookie; state-changing calls echo the session's CSRF token.
// Everything from the server is put into the page as text (textContent), never as HTML.
'use strict';

const S = { user: null, csrf: null, registry: null, view: null, stream: null };
const PAGE = 50;

// ---------- helpers ----------

function h(tag, attrs, ...children) {
  const svg = ['svg', 'path', 'line', 'rect', 'text', 'polyline', 'polygon', 'g', 'title'].includes(tag);
  const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// A view draws the page only if no navigation or redraw began after it did: data that comes back
// late (a slow request, a live update's reload) must not draw over the page the operator now has
// in front of them, nor throw away what they typed into it. `claimMain()` is called before the view's
// first await; drawing through it after a newer route() throws `Superseded`, which route() drops.
class Superseded extends Error {}

function claimMain() {
  const token = route.token;
  let drawnFor = null;
  const show = (...nodes) => {
    if (token !== route.token) throw new Superseded();
    const main = document.getElementById('main');
    main.replaceChildren(...nodes);
    main.dataset.hash = drawnFor = location.hash; // what it shows (keepTyped)
    S.listOpen = false; // a list open on the page before is gone with it
  };
  // A view's delayed reload (a timer, an action's reply) runs only while its route is still the
  // one shown: one set before the operator moved on must not redraw (and empty) the form they
  // went to. A live reload of the same page in between does not cancel it.
  show.reload = () => { if (drawnFor !== null && drawnFor === location.hash) route(); };
  show.current = () => token === route.token;
  // A timed reload (live changes, a running sweep): at most one per `ms`, however often asked
  // (a debounce would starve while jobs run), and not while the operator has a select's list open
  // (the redraw would close it), ten seconds at most.
  let timer = null, held = 0;
  show.later = ms => {
    if (!timer) timer = setTimeout(() => {
      timer = null;
      if (S.listOpen && held++ * ms < 10000) show.later(ms); else { held = 0; show.reload(); }
    }, ms);
  };
  return show;
}

// Whether a select's list is open: opened by the pointer or a key, closed by a pick, by leaving the
// select, or by a click elsewhere (timed reloads wait for it: show.later).
document.addEventListener('pointerdown', e => { S.listOpen = !!(e.target.closest && e.target.closest('select')); }, true);
document.addEventListener('keydown', e => { if (e.target instanceof HTMLSelectElement) S.listOpen = true; }, true);
for (const type of ['change', 'focusout']) document.addEventListener(type, () => { S.listOpen = false; }, true);

// A page drawn again in place (a live reload of the same route) keeps what is being typed into
// these fields (or picked, in a select), and where the caret was: call before drawing, then call
// what it returns after.
function keepTyped(ids) {
  const same = document.getElementById('main').dataset.hash === location.hash;
  const saved = !same ? [] : ids.map(id => document.getElementById(id)).filter(Boolean).map(el => (
    { id: el.id, value: el.value, focused: document.activeElement === el, start: el.selectionStart, end: el.selectionEnd }));
  return () => {
    for (const s of saved) {
      const el = document.getElementById(s.id);
      if (!el) continue;
      el.value = s.value;
      if (s.focused) { el.focus(); if (s.start != null) el.setSelectionRange(s.start, s.end); } // a select has no caret
    }
  };
}

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.field = body && body.field;
  }
}

// How long a read may go unanswered before it fails (a page whose load hangs would otherwise wait,
// and keep the stream's messages for it, until the next navigation; a test shortens it). Changes
// have none: one that timed out here might still be carried out, and the operator would try it again.
S.readTimeoutMs = 60000;

async function api(method, path, body, { timeoutMs = S.readTimeoutMs } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && S.csrf) headers['X-CSRF-Token'] = S.csrf;
  const abort = method === 'GET' ? new AbortController() : null;
  const timer = abort && setTimeout(() => abort.abort(), timeoutMs);
  let r, text;
  try {
    r = await fetch(path, {
      method, headers, credentials: 'same-origin', signal: abort ? abort.signal : undefined,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    text = await r.text();
  } catch (x) {
    if (abort && abort.signal.aborted) throw new ApiError(0, { message: `${path}: no answer within ${timeoutMs / 1000} s` });
    throw x;
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  if (text && (r.headers.get('content-type') || '').includes('json')) data = JSON.parse(text);
  if (r.status === 401 && path !== '/api/session') {
    signedOut();
    throw new ApiError(401, data);
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return { data, headers: r.headers };
}

function fmtNum(v, digits = 2) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
function fmtPct(v) { return v === null || v === undefined || typeof v === 'string' ? (v || '—') : `${(v * 100).toFixed(2)}%`; }
function fmtTime(t) {
  if (!t) return '—';
  const d = typeof t === 'number' ? new Date(t) : new Date(t);
  return d.toISOString().replace('T', ' ').slice(0, 19);
}
function ago(t) {
  if (!t) return '—';
  const s = Math.max(0, (Date.now() - new Date(t).getTime()) / 1000);
  if (s < 60) return `${s.toFixed(0)} s ago`;
  if (s < 3600) return `${(s / 60).toFixed(0)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}
function progressOf(j) {
  if (j.bars_total > 0) return Math.min(1, j.bars_done / j.bars_total);
  return j.status === 'completed' ? 1 : 0;
}
function cashOf(j) { return (j.spec && j.spec.portfolio && j.spec.portfolio.cash) || null; }
function strategyOf(j) { return j.spec ? j.spec.strategy.namespace.replace('strategies:', '') : ''; }
function symbolOf(j) { return j.spec ? `${j.spec.exchange.symbol.base}/${j.spec.exchange.symbol.quote}` : ''; }

function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 3500);
}

function confirmAction(text) {
  return new Promise(resolve => {
    const m = document.getElementById('modal');
    document.getElementById('modal-text').textContent = text;
    m.hidden = false;
    const done = ok => { m.hidden = true; ok_.onclick = null; cancel.onclick = null; resolve(ok); };
    const ok_ = document.getElementById('modal-ok');
    const cancel = document.getElementById('modal-cancel');
    ok_.onclick = () => done(true);
    cancel.onclick = () => done(false);
  });
}

// Why a pending job waits when no connected worker can run it (a record from before it started may
// still carry the reason: only a pending job's counts).
function waitingFor(j) { return j.status === 'pending' ? j.waiting_for : null; }

function statusBadge(j) {
  // A resumed live job reconciling with its venue shows RECONCILING until it trades.
  const shown = j.status === 'running' && j.phase ? j.phase : j.status;
  const wrap = h('span', { class: 'status' }, h('span', { class: `badge ${shown}`, title: waitingFor(j) ? `Waiting: ${waitingFor(j)}` : null }, shown + (waitingFor(j) ? ' ⚠' : '')));
  if (j.status === 'running' || j.status === 'assigned') {
    const bar = h('span', { class: 'bar', title: `${(progressOf(j) * 100).toFixed(1)}%` }, h('span'));
    bar.firstChild.style.width = `${(progressOf(j) * 100).toFixed(1)}%`;
    wrap.append(bar, h('span', { class: 'muted' }, ` ${(progressOf(j) * 100).toFixed(0)}%`));
  }
  return wrap;
}

function pnlCell(j) {
  const cash = cashOf(j);
  if (j.equity === null || j.equity === undefined || !cash) return h('td', { class: 'num' }, '—');
  const pnl = j.equity - cash;
  return h('td', { class: `num ${pnl >= 0 ? 'up' : 'down'}` }, `${fmtNum(pnl)} (${((pnl / cash) * 100).toFixed(2)}%)`);
}

// ---------- charts (SVG) ----------

// A series' points as polyline strings, one per run of finite values (an undefined value leaves a gap).
function runs(xs, ys, px, py) {
  const out = [];
  let cur = [];
  for (let i = 0; i < xs.length; i++) {
    if (Number.isFinite(ys[i])) cur.push(`${px(xs[i]).toFixed(1)},${py(ys[i]).toFixed(1)}`);
    else if (cur.length) { out.push(cur.join(' ')); cur = []; }
  }
  if (cur.length) out.push(cur.join(' '));
  return out;
}

// Colours for a strategy's own series (its plot topics), in the order it declares them.
const SERIES_COLORS = ['#e08214', '#1b9e77', '#7570b3', '#e7298a', '#66a61e', '#a6761d', '#1f78b4', '#b2182b'];

function lineChart(xs, ys, opts = {}) {
  const W = 800, H = opts.height || 200, L = 64, R = 10, T = 20, B = 24;
  const svg = h('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.title || 'chart' });
  svg.append(h('text', { x: L, y: 13 }, opts.title || ''));
  const finite = ys.filter(v => Number.isFinite(v));
  if (finite.length < 2) {
    svg.append(h('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data yet'));
    return svg;
  }
  let lo = Math.min(...finite), hi = Math.max(...finite);
  for (const o of opts.others || []) for (const v of o.ys) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (opts.markers) for (const m of opts.markers) { lo = Math.min(lo, m.y); hi = Math.max(hi, m.y); }
  if (hi === lo) { hi += 1; lo -= 1; }
  const x0 = xs[0], x1 = xs[xs.length - 1] === x0 ? x0 + 1 : xs[xs.length - 1];
  const px = x => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = y => T + (1 - (y - lo) / (hi - lo)) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const v = lo + ((hi - lo) * i) / 4;
    svg.append(h('line', { class: 'grid', x1: L, x2: W - R, y1: py(v), y2: py(v) }));
    svg.append(h('text', { x: L - 6, y: py(v) + 4, 'text-anchor': 'end' }, fmtNum(v, Math.abs(hi - lo) < 10 ? 2 : 0)));
  }
  svg.append(h('text', { x: L, y: H - 6 }, fmtTime(x0)));
  svg.append(h('text', { x: W - R, y: H - 6, 'text-anchor': 'end' }, fmtTime(x1)));
  const pts = xs.map((x, i) => `${px(x).toFixed(1)},${py(ys[i]).toFixed(1)}`).join(' ');
  if (opts.fill && finite.length === ys.length) {
    svg.append(h('polygon', {
      points: `${px(x0).toFixed(1)},${py(Math.max(lo, Math.min(hi, 0))).toFixed(1)} ${pts} ${px(x1).toFixed(1)},${py(Math.max(lo, Math.min(hi, 0))).toFixed(1)}`,
      fill: opts.color, 'fill-opacity': 0.15, stroke: 'none',
    }));
  }
  // Other series under the main one (buy and hold beside a trial's equity), each with its label.
  // A series with undefined values (an indicator warming up) is drawn in runs, with gaps.
  // The legend at the top right, in the series' order.
  const legend = opts.legend || [];
  let legendX = W - R - legend.reduce((w, l) => w + 8 + 7 * l.label.length, 0);
  for (const l of legend) {
    legendX += 8 + 7 * l.label.length;
    svg.append(h('text', { x: legendX, y: 13, 'text-anchor': 'end', style: `fill: ${l.color}`, class: 'legend' }, l.label));
  }
  for (const o of opts.others || []) {
    for (const run of runs(xs, o.ys, px, py)) {
      svg.append(h('polyline', { points: run, fill: 'none', stroke: o.color, 'stroke-width': 1.2, 'data-series': o.label }, h('title', {}, o.label)));
    }
  }
  for (const b of opts.bands || []) {
    const a = px(Math.max(x0, b[0])), z = px(Math.min(x1, b[1]));
    if (z > a) svg.prepend(h('rect', { class: 'band', x: a, y: T, width: z - a, height: H - T - B }));
  }
  for (const run of finite.length === ys.length ? [pts] : runs(xs, ys, px, py)) {
    svg.append(h('polyline', { points: run, fill: 'none', stroke: opts.color || '#3465a4', 'stroke-width': 1.5, 'data-series': opts.label || '' }));
  }
  for (const m of opts.markers || []) {
    const x = px(m.x), y = py(m.y), s = 5;
    const d = m.buy ? `M${x},${y - s} L${x - s},${y + s} L${x + s},${y + s} Z` : `M${x},${y + s} L${x - s},${y - s} L${x + s},${y - s} Z`;
    svg.append(h('path', { d, class: m.buy ? 'buy' : 'sell' }, h('title', {}, m.label)));
  }
  return svg;
}

// ---------- live updates ----------

function openStream() {
  if (S.stream) return;
  const live = document.getElementById('live');
  const es = new EventSource('/api/stream?topics=jobs,events,logs');
  S.stream = es;
  es.addEventListener('open', () => live.classList.add('on'));
  es.addEventListener('error', () => live.classList.remove('on'));
  // Everything after `hello` comes through the stream: what the page loaded before may be stale.
  es.addEventListener('hello', () => {
    if (S.pending) S.pending.push(['resync', null]); // a page loading may predate the gap too
    if (S.view && S.view.resync) S.view.resync();
  });
  for (const kind of ['jobs', 'events', 'logs']) {
    es.addEventListener(kind, e => {
      const data = JSON.parse(e.data);
      // A page still loading gets these once it is shown (route()): its data may predate them.
      if (S.pending) S.pending.push([kind, data]);
      const handler = S.view && S.view[kind];
      if (handler) handler(data);
    });
  }
}

function closeStream() {
  if (S.stream) S.stream.close();
  S.stream = null;
  document.getElementById('live').classList.remove('on');
}

// ---------- sign-in ----------

function signedOut() {
  S.user = null;
  S.csrf = null;
  closeStream();
  document.getElementById('nav').hidden = true;
  document.getElementById('signout').hidden = true;
  document.getElementById('who').textContent = '';
  showLogin();
}

function showLogin(message) {
  S.view = null;
  S.pending = null;
  route.token = (route.token || 0) + 1; // a view still loading must not draw over the sign-in form
  // Already asking (a late 401 from a timer): the message only, not a form emptied under the typing.
  const shown = document.getElementById('login-error');
  if (shown) { shown.textContent = message || shown.textContent; return; }
  const err = h('p', { class: 'error', id: 'login-error' }, message || '');
  const user = h('input', { id: 'login-user', name: 'user', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'card login', id: 'login-form' },
    h('h1', {}, 'Sign in'),
    h('label', {}, 'User', user),
    h('label', {}, 'Password', pass),
    err,
    h('button', { class: 'primary', type: 'submit', id: 'login-submit' }, 'Sign in'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    err.textContent = '';
    try {
      const { data } = await api('POST', '/api/session', { user: user.value, password: pass.value });
      signedIn(data);
      if (!location.hash || location.hash === '#/login') location.hash = '#/jobs';
      else route();
    } catch (x) {
      err.textContent = x.message;
    }
  });
  document.getElementById('main').replaceChildren(form);
  user.focus();
}

function signedIn(session) {
  S.user = session.user;
  S.csrf = session.csrf_token;
  // viewer, trader or admin: the page hides what the role may not do (the API refuses it anyway).
  S.role = session.role || 'viewer';
  document.body.dataset.role = S.role;
  document.getElementById('nav').hidden = false;
  document.getElementById('signout').hidden = false;
  document.getElementById('who').textContent = session.user ? `signed in as ${session.user} (${S.role})` : 'admin token';
  openStream();
}

// ---------- jobs list ----------

function parseQuery(hash) {
  const i = hash.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : hash.slice(i + 1));
}

async function viewJobs(q) {
  const show = claimMain();
  const status = q.get('status') || '', label = q.get('label') || '', search = q.get('q') || '';
  const sort = q.get('sort') || 'id', page = Math.max(0, parseInt(q.get('page') || '0', 10));
  const params = new URLSearchParams({ limit: PAGE, offset: page * PAGE, sort });
  if (status) params.set('status', status);
  if (label) params.set('label', label);
  if (search) params.set('q', search);
  const [{ data: jobs, headers }, { data: overview }] = await Promise.all([
    api('GET', `/api/jobs?${params}`), api('GET', '/api/overview')]);
  const total = parseInt(headers.get('X-Total-Count') || '0', 10);
  const go = changes => {
    const next = new URLSearchParams({ status, label, q: search, sort, page: 0, ...changes });
    for (const [k, v] of [...next]) if (!v || v === '0' && k === 'page' || v === 'id' && k === 'sort') next.delete(k);
    location.hash = `#/jobs${next.toString() ? '?' + next : ''}`;
  };
  const counts = overview.jobs || {};
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const chips = h('div', { class: 'chips', id: 'status-filter' },
    h('button', { class: `chip ${status ? '' : 'on'}`, onclick: () => go({ status: '' }) }, `all ${all}`),
    ...['pending', 'assigned', 'running', 'completed', 'failed', 'stopped'].map(s =>
      h('button', { class: `chip ${status === s ? 'on' : ''}`, dataset: { status: s }, onclick: () => go({ status: s }) },
        `${s} ${counts[s] || 0}`)));
  const searchBox = h('input', { id: 'job-search', placeholder: 'name contains…', value: search });
  const labelBox = h('input', { id: 'job-label', placeholder: 'label', value: label, size: 10 });
  const apply = e => { e.preventDefault(); go({ q: searchBox.value.trim(), label: labelBox.value.trim() }); };
  const filters = h('form', { class: 'toolbar', onsubmit: apply }, searchBox, labelBox, h('button', { type: 'submit' }, 'Filter'));
  // Columns a phone hides (class hide-sm): the name, status and PnL always show.
  const cols = [
    ['name', 'Name', ''], ['mode', 'Mode', 'hide-sm'], [null, 'Strategy', 'hide-sm'], [null, 'Symbol', 'hide-sm'],
    [null, 'Worker', 'hide-sm'], ['progress', 'Status', ''], ['equity', 'Equity', 'hide-sm right'], [null, 'PnL', 'right'],
    ['updated_at', 'Updated', 'hide-sm']];
  const head = h('tr', {}, cols.map(([key, title, cls]) => {
    if (!key) return h('th', { class: cls }, title);
    const on = sort === key || sort === `-${key}`;
    const next = sort === key ? `-${key}` : key;
    return h('th', { class: `sortable ${on ? 'sorted' : ''} ${cls}`, dataset: { sort: key }, onclick: () => go({ sort: next }) },
      title, on ? (sort.startsWith('-') ? ' ▼' : ' ▲') : '');
  }));
  const body = h('tbody', { id: 'jobs-body' });
  const rows = new Map();
  const render = j => {
    const tr = h('tr', { dataset: { id: j.id, name: j.name } },
      h('td', {}, h('a', { href: `#/job/${encodeURIComponent(j.name)}` }, j.name)),
      h('td', { class: 'hide-sm' }, j.mode), h('td', { class: 'hide-sm' }, strategyOf(j)), h('td', { class: 'hide-sm' }, symbolOf(j)),
      h('td', { class: 'muted hide-sm' }, j.lease_owner || ''), h('td', {}, statusBadge(j)),
      h('td', { class: 'num hide-sm' }, fmtNum(j.equity)), pnlCell(j),
      h('td', { class: 'muted hide-sm', title: j.updated_at }, ago(j.updated_at)));
    return tr;
  };
  for (const j of jobs) {
    const tr = render(j);
    rows.set(j.id, { job: j, tr });
    body.append(tr);
  }
  if (!jobs.length) body.append(h('tr', {}, h('td', { colspan: cols.length, class: 'muted' }, 'No jobs match.')));
  const pager = h('div', { class: 'pager' },
    h('button', { disabled: page === 0, onclick: () => go({ page: page - 1 }) }, '← Previous'),
    h('span', { class: 'muted', id: 'jobs-count' }, total ? `${page * PAGE + 1}–${Math.min(total, (page + 1) * PAGE)} of ${total}` : '0 jobs'),
    h('button', { disabled: (page + 1) * PAGE >= total, onclick: () => go({ page: page + 1 }) }, 'Next →'));
  // The global kill switch: every live job cancels its open orders and stops, new ones are held.
  let kill = { thrown: false };
  try { kill = (await api('GET', '/api/kill')).data || kill; } catch (_) { /* shown without it */ }
  const killAll = async () => {
    if (!(await confirmAction('Kill ALL live trading? Every live job cancels its open orders and stops; live jobs created or started meanwhile are held too, until an admin releases the switch.'))) return;
    try { const { data } = await api('POST', '/api/kill', { flatten: false }); toast(`Kill switch thrown: ${data.held} live jobs held`); show.reload(); } catch (x) { toast(x.message); }
  };
  const killBox = kill.thrown
    ? h('span', { class: 'error', id: 'kill-thrown' }, `KILL SWITCH THROWN: ${kill.reason} — live jobs are held`)
    : h('button', { id: 'kill-all', class: 'danger needs-trader', onclick: killAll }, 'Kill all live trading');
  const restoreTyped = keepTyped(['job-search', 'job-label']);
  show(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Jobs'), killBox, h('a', { href: '#/new', class: 'right' }, '+ New job')),
    h('div', { class: 'card' }, chips, h('div', { class: 'toolbar' }), filters,
      h('div', { class: 'scroll' }, h('table', { id: 'jobs' }, h('thead', {}, head), body)), pager));
  restoreTyped();
  const later = () => show.later(1000);
  return {
    jobs(changes) {
      for (const c of changes) {
        const row = rows.get(c.id);
        // A job not shown: new jobs come with a `created` event; a filtered list gains a job
        // whose status moved into the filter.
        if (!row) { if (status && c.status === status) later(); continue; }
        if (c.updated_at < row.job.updated_at) continue; // older than what the row shows
        Object.assign(row.job, { status: c.status, desired_state: c.desired_state, lease_owner: c.worker,
          bars_done: c.bars_done, bars_total: c.bars_total, equity: c.equity, last_error: c.last_error, updated_at: c.updated_at });
        // Only the cells that changed are replaced: the name's link stays the element under the
        // pointer, so a click is never lost to a live update.
        const fresh = render(row.job);
        [...fresh.cells].forEach((td, i) => { if (row.tr.cells[i].outerHTML !== td.outerHTML) row.tr.cells[i].replaceWith(td); });
      }
    },
    events(events) { if (events.some(e => e.kind === 'created' || e.kind === 'deleted')) later(); },
    resync: () => route(),
  };
}

// ---------- one job ----------

async function viewJob(name) {
  const show = claimMain();
  const enc = encodeURIComponent(name);
  const { data: job } = await api('GET', `/api/jobs/${enc}`);
  const head = h('div', { class: 'toolbar', id: 'job-head' });
  const stats = h('div', { class: 'card', id: 'job-stats' });
  const charts = h('div', { class: 'charts', id: 'job-charts' });
  const history = h('tbody', { id: 'job-events' });
  const fillsBox = h('div', { id: 'job-fills' });
  const checkpoints = h('tbody', { id: 'job-checkpoints' });
  const logBox = h('div', { class: 'logs', id: 'job-logs' });
  let headKey = null;
  const drawHead = j => {
    // Progress moves every update; the buttons are drawn again only when what they depend on
    // changes, so a click is never split between two copies of a button.
    const key = JSON.stringify([j.status, j.phase, j.desired_state, j.lease_owner, j.epoch, j.mode, j.halt_reason, j.last_error, waitingFor(j)]);
    if (key === headKey && head.querySelector('.status')) { head.querySelector('.status').replaceWith(statusBadge(j)); return; }
    headKey = key;
    const act = async (verb, text) => {
      if (!(await confirmAction(text))) return;
      try {
        if (verb === 'delete') {
          await api('DELETE', `/api/jobs/${enc}`);
          toast(`Deleted ${j.name}`);
          location.hash = '#/jobs';
          return;
        }
        await api('POST', `/api/jobs/${enc}/${verb}`);
        toast(`${verb} requested for ${j.name}`);
        refresh();
      } catch (x) { toast(x.message); }
    };
    const active = ['pending', 'assigned', 'running'].includes(j.status);
    head.replaceChildren(
      h('h1', {}, j.name), statusBadge(j),
      h('span', { class: 'muted' }, `${j.mode} · ${strategyOf(j)} · ${symbolOf(j)}${j.lease_owner ? ' · on ' + j.lease_owner : ''} · epoch ${j.epoch}`),
      h('button', { id: 'job-start', class: 'needs-trader', disabled: active, onclick: () => act('start', `Start ${j.name}? It resumes from its last checkpoint.`) }, 'Start'),
      h('button', { id: 'job-stop', class: 'needs-trader', disabled: !active, onclick: () => act('stop', `Stop ${j.name}? It checkpoints and stops.`) }, 'Stop'),
      h('a', { href: `#/edit/${enc}`, class: 'needs-trader' }, h('button', { id: 'job-edit' }, 'Reload config')),
      h('a', { href: `#/new?from=${enc}`, class: 'needs-trader' }, h('button', {}, 'Duplicate')),
      h('a', { href: `/api/jobs/${enc}/report`, download: `${j.name}-report.html`, id: 'job-report' }, h('button', {}, 'Report')),
      h('button', { id: 'job-delete', class: 'danger needs-trader', onclick: () => act('delete', `Delete ${j.name} with its fills and checkpoints? The audit trail is kept.`) }, 'Delete'));
    // The kill switch, for live jobs: cancel the open orders (optionally flatten), stop, hold.
    if (j.mode === 'live') {
      const kill = async flatten => {
        const what = flatten ? 'cancel its open orders, sell or buy back its position to its allocation, and stop' : 'cancel its open orders and stop';
        if (!(await confirmAction(`Kill ${j.name}? It will ${what}, and place nothing until released.`))) return;
        try {
          await api('POST', `/api/jobs/${enc}/kill`, { flatten });
          toast(`Kill switch thrown for ${j.name}`);
          refresh();
        } catch (x) { toast(x.message); }
      };
      if (j.halt_reason) {
        head.append(
          h('p', { class: 'error', id: 'job-halt' }, `KILLED: ${j.halt_reason}. It places nothing until released.`),
          h('button', { id: 'job-release', class: 'needs-trader', onclick: async () => {
            if (!(await confirmAction(`Release ${j.name}? It may trade again once started.`))) return;
            try { await api('DELETE', `/api/jobs/${enc}/kill`); toast(`Released ${j.name}`); refresh(); } catch (x) { toast(x.message); }
          } }, 'Release kill'));
      } else {
        head.append(
          h('button', { id: 'job-kill', class: 'danger needs-trader', onclick: () => kill(false) }, 'Kill'),
          h('button', { id: 'job-kill-flatten', class: 'danger needs-trader', onclick: () => kill(true) }, 'Kill and flatten'));
      }
    }
    if (waitingFor(j)) head.append(h('p', { class: 'error', id: 'job-waiting' }, `Waiting: ${waitingFor(j)}.`));
    if (j.last_error) head.append(h('p', { class: 'error', id: 'job-error' }, j.last_error));
  };
  const drawStats = j => {
    const s = j.statistics;
    const cash = cashOf(j);
    const rows = [['Status', j.status], ['Progress', `${(progressOf(j) * 100).toFixed(1)}% (${j.bars_done} of ${j.bars_total} bars)`],
      ['Equity', fmtNum(j.equity)], ['PnL', j.equity != null && cash ? fmtNum(j.equity - cash) : '—'],
      ['Created', fmtTime(j.created_at)], ['Started', fmtTime(j.started_at)], ['Finished', fmtTime(j.finished_at)]];
    if (s) {
      rows.push(['Total return', fmtPct(s.total_return)], ['Buy and hold', fmtPct(s.buy_and_hold_return)], ['CAGR', fmtPct(s.cagr)],
        ['Sharpe', fmtNum(s.sharpe, 3)], ['Sortino', fmtNum(s.sortino, 3)], ['Calmar', fmtNum(s.calmar, 3)],
        ['Max drawdown', fmtPct(s.max_drawdown)], ['Round trips', s.round_trips], ['Win rate', fmtPct(s.win_rate)],
        ['Profit factor', fmtNum(s.profit_factor, 3)], ['Expectancy', fmtNum(s.expectancy, 4)], ['Exposure', fmtPct(s.exposure)],
        ['Fees', fmtNum(s.total_fees)], ['Fills', s.fills], ['Orders', s.orders]);
    }
    stats.replaceChildren(h('div', { class: 'grid' }, rows.map(([k, v]) => h('div', {}, h('span', { class: 'muted' }, k), h('b', {}, v)))));
  };
  const drawCharts = async () => {
    const [{ data: curve }, { data: fills }, { data: plots }] = await Promise.all([
      api('GET', `/api/jobs/${enc}/curve`), api('GET', `/api/jobs/${enc}/fills?limit=1000`), api('GET', `/api/jobs/${enc}/plots`).catch(() => ({ data: [] }))]);
    // The strategy's own series: those on the price pane over the close, the others in a pane below.
    const series = plots.map((s, k) => ({ ...s, color: SERIES_COLORS[k % SERIES_COLORS.length], label: s.name,
      ys: curve.map(p => p.plots && p.plots.length === plots.length && p.plots[k] !== null ? p.plots[k] : NaN) }));
    const over = series.filter(s => s.pane === 'price'), below = series.filter(s => s.pane === 'below');
    const xs = curve.map(p => p.time_ms);
    let peak = -Infinity;
    const dd = curve.map(p => { peak = Math.max(peak, p.equity); return peak > 0 ? -(1 - p.equity / peak) * 100 : 0; });
    const markers = fills.map(f => ({ x: f.time_ms, y: f.price, buy: f.side === 'BUY',
      label: `${f.side} ${f.quantity} @ ${f.price} (${fmtTime(f.time_ms)})` }));
    charts.replaceChildren(
      h('div', { class: 'card', id: 'chart-equity' }, lineChart(xs, curve.map(p => p.equity), { title: 'Equity (quote)', color: '#3465a4' })),
      h('div', { class: 'card', id: 'chart-drawdown' }, lineChart(xs, dd, { title: 'Drawdown (%)', color: '#d73027', fill: true })),
      h('div', { class: 'card wide', id: 'chart-price' }, lineChart(xs, curve.map(p => p.close), {
        title: `Close, buys ▲ and sells ▼${fills.length >= 1000 ? ' (first 1,000 fills)' : ''}`, color: '#667085', markers, height: 260,
        others: over, legend: over })));
    if (below.length) {
      // The pane's main line is its first series with values (a model's prediction may still be
      // warming up while its thresholds are drawn).
      const main = below.find(s => s.ys.filter(Number.isFinite).length >= 2) || below[0];
      charts.append(h('div', { class: 'card wide', id: 'chart-plots' }, lineChart(xs, main.ys, {
        title: 'Strategy series', color: main.color, label: main.name, height: 180,
        others: below.filter(s => s !== main), legend: below })));
    }
  };
  const fillPages = [-1];
  const drawFills = async () => {
    const after = fillPages[fillPages.length - 1];
    const { data: fills } = await api('GET', `/api/jobs/${enc}/fills?after=${after}&limit=${PAGE}`);
    const table = h('table', {}, h('thead', {}, h('tr', {}, ['seq', 'time', 'side', 'price', 'quantity', 'fee', 'liquidity', 'epoch', 'tag'].map(t => h('th', {}, t)))),
      h('tbody', {}, fills.map(f => h('tr', {}, h('td', { class: 'num' }, f.seq), h('td', {}, fmtTime(f.time_ms)),
        h('td', { class: f.side === 'BUY' ? 'up' : 'down' }, f.side), h('td', { class: 'num' }, fmtNum(f.price, 4)),
        h('td', { class: 'num' }, fmtNum(f.quantity, 6)), h('td', { class: 'num' }, fmtNum(f.fee_quote + f.fee_base * f.price, 4)),
        h('td', {}, f.liquidity), h('td', { class: 'num' }, f.epoch), h('td', { class: 'muted' }, f.tag)))));
    const page = fillPages.length - 1;
    fillsBox.replaceChildren(h('div', { class: 'scroll' }, table), h('div', { class: 'pager' },
      h('button', { id: 'fills-prev', disabled: page === 0, onclick: () => { fillPages.pop(); drawFills(); } }, '← Previous'),
      h('span', { class: 'muted' }, fills.length ? `fills ${fills[0].seq}–${fills[fills.length - 1].seq}` : 'no fills'),
      h('button', { id: 'fills-next', disabled: fills.length < PAGE, onclick: () => { fillPages.push(fills[fills.length - 1].seq); drawFills(); } }, 'Next →')));
  };
  // A job on a live market: its orders (live) and a comparison with a replay of what it saw.
  const onMarket = !!(job.spec && job.spec.market);
  const ordersBox = h('tbody', { id: 'job-orders' });
  const drawOrders = async () => {
    if (job.mode !== 'live') return;
    const { data: orders } = await api('GET', `/api/jobs/${enc}/orders`);
    ordersBox.replaceChildren(...orders.slice(-200).map(o => h('tr', {}, h('td', {}, o.client_order_id), h('td', { class: 'num' }, o.epoch),
      h('td', { class: o.side === 'BUY' ? 'up' : 'down' }, o.side), h('td', {}, o.order_type), h('td', { class: 'num' }, o.quantity),
      h('td', { class: 'num' }, o.price || '—'), h('td', {}, o.state), h('td', { class: 'muted' }, o.code != null ? `${o.code} ${o.message || ''}` : ''),
      h('td', {}, fmtTime(o.created_at)))));
  };
  const divergenceBox = h('div', { id: 'divergence' }, h('p', { class: 'muted' },
    'Replays the candles this job traded through the backtest engine with its spec, and compares the fills order by order.'));
  const drawDivergence = async () => {
    divergenceBox.replaceChildren(h('p', { class: 'muted' }, 'Replaying…'));
    let r;
    try { r = (await api('GET', `/api/jobs/${enc}/divergence`, undefined, { timeoutMs: 600000 })).data; } catch (x) { divergenceBox.replaceChildren(h('p', { class: 'error' }, x.message)); return; }
    const s = r.summary;
    const ms = v => v == null ? '—' : `${v} ms`;
    const bps = v => v == null ? '—' : `${v.toFixed(1)} bps`;
    const rows = [['Candles replayed', `${r.candles}${r.missing_candles ? ` (${r.missing_candles} missing)` : ''}${r.unsent_candles ? ` (${r.unsent_candles} since its last checkpoint not recorded yet)` : ''}`],
      ['Verdict', s.identical ? 'identical to the replay' : 'differs from the replay'],
      ['Orders', `${s.matched_orders} matched · ${s.job_only_orders} job only · ${s.replay_only_orders} replay only`],
      ['Fills', `${s.job_fills} job · ${s.replay_fills} replay`], ['P&L job', fmtNum(s.job_pnl, 4)], ['P&L replay', fmtNum(s.replay_pnl, 4)],
      ['Fees job', fmtNum(s.job_fees, 4)], ['Fees replay', fmtNum(s.replay_fees, 4)], ['Slippage cost', fmtNum(s.slippage_cost, 4)],
      ['Slippage mean / worst', `${bps(s.mean_slippage_bps)} / ${bps(s.worst_slippage_bps)}`],
      ['Decision latency median / worst', `${ms(s.median_decision_latency_ms)} / ${ms(s.worst_decision_latency_ms)}`],
      ['Venue latency median / worst', `${ms(s.median_venue_latency_ms)} / ${ms(s.worst_venue_latency_ms)}`]];
    const side = x => x ? [h('td', {}, fmtTime(x.time_ms)), h('td', { class: 'num' }, fmtNum(x.price, 4)), h('td', { class: 'num' }, fmtNum(x.quantity, 6)),
      h('td', { class: 'num' }, fmtNum(x.fee, 4))] : [h('td', {}, '—'), h('td', {}), h('td', {}), h('td', {})];
    const table = h('table', {}, h('thead', {}, h('tr', {}, ['order', 'side', 'client id', 'job time', 'job price', 'job qty', 'job fee',
      'replay time', 'replay price', 'replay qty', 'replay fee', 'slippage', 'decision', 'venue'].map(t => h('th', {}, t)))),
      h('tbody', {}, r.orders.map(o => h('tr', { class: o.fills.every(f => f.equal) ? '' : 'differs' }, h('td', { class: 'num' }, o.order_id),
        h('td', { class: o.side === 'buy' ? 'up' : 'down' }, o.side), h('td', { class: 'muted' }, o.client_order_id || ''),
        ...side(o.job), ...side(o.replay), h('td', { class: 'num' }, bps(o.slippage_bps)), h('td', { class: 'num' }, ms(o.decision_latency_ms)),
        h('td', { class: 'num' }, ms(o.venue_latency_ms))))));
    divergenceBox.replaceChildren(h('div', { class: 'grid', id: 'divergence-summary' }, rows.map(([k, v]) => h('div', {}, h('span', { class: 'muted' }, k), h('b', {}, v)))),
      h('div', { class: 'scroll' }, table));
  };
  let lastEvent = 0; // the newest event shown: one the stream brings again is not listed twice
  let lastLine = 0; // the same for log lines, by their sequence number
  const eventRow = e => h('tr', {}, h('td', {}, fmtTime(e.at)), h('td', {}, e.kind), h('td', {}, e.actor), h('td', { class: 'muted' }, e.detail));
  const drawRest = async () => {
    const [{ data: events }, { data: cps }, { data: lines }] = await Promise.all([
      api('GET', `/api/jobs/${enc}/events?limit=200`), api('GET', `/api/jobs/${enc}/checkpoints`), api('GET', '/api/logs?limit=2000')]);
    history.replaceChildren(...events.map(eventRow));
    lastEvent = events.reduce((m, e) => Math.max(m, e.id), lastEvent);
    await drawOrders();
    checkpoints.replaceChildren(...cps.slice(-50).map(c => h('tr', {}, h('td', { class: 'num' }, c.cursor), h('td', { class: 'num' }, c.epoch),
      h('td', { class: 'num' }, c.next_fill_seq), h('td', { class: 'num' }, c.bytes),
      h('td', { class: 'num' }, c.plain_bytes ?? c.bytes), h('td', {}, fmtTime(c.created_at)))));
    logBox.replaceChildren(...lines.filter(l => l.metadata.job === String(job.id)).map(logLine));
    lastLine = lines.reduce((m, l) => Math.max(m, l.seq), lastLine);
  };
  const refresh = async () => {
    const { data: j } = await api('GET', `/api/jobs/${enc}`);
    Object.assign(job, j);
    drawHead(job); drawStats(job);
    if (fillPages.length === 1) await Promise.all([drawCharts(), drawRest(), drawFills()]);
    else await Promise.all([drawCharts(), drawRest()]);
  };
  drawHead(job); drawStats(job);
  const spec = h('pre', { id: 'job-spec' }, JSON.stringify(job.spec, null, 2));
  const marketParts = !onMarket ? [] : [
    ...(job.mode === 'live' ? [h('h2', {}, 'Orders'), h('div', { class: 'card scroll' }, h('table', {}, h('thead', {}, h('tr', {},
      ['client order id', 'epoch', 'side', 'type', 'quantity', 'price', 'state', 'why', 'written'].map(t => h('th', {}, t)))), ordersBox))] : []),
    h('h2', {}, `${job.mode === 'live' ? 'Live' : 'Paper'} vs replay`),
    h('div', { class: 'card' }, h('button', { id: 'divergence-run', onclick: drawDivergence }, 'Compare with a replay'), divergenceBox)];
  show(head, stats, charts, ...marketParts,
    h('h2', {}, 'Fills'), h('div', { class: 'card' }, fillsBox),
    h('h2', {}, 'Status history'), h('div', { class: 'card scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['at', 'event', 'by', 'detail'].map(t => h('th', {}, t)))), history)),
    h('h2', {}, 'Log'), logBox,
    h('h2', {}, 'Checkpoints'), h('div', { class: 'card scroll' }, h('table', {}, h('thead', {}, h('tr', {}, ['cursor', 'epoch', 'next fill', 'bytes', 'plain bytes', 'saved'].map(t => h('th', {}, t)))), checkpoints)),
    h('h2', {}, 'Definition'), spec);
  // A part that fails to load says so without replacing the rest of the page (live changes that
  // come meanwhile are replayed once it is done: route()).
  await Promise.all([drawCharts(), drawFills(), drawRest()]).catch(x => { if (x.status === 401) throw x; toast(x.message); });
  let chartTimer = null;
  return {
    jobs(changes) {
      const c = changes.find(x => x.id === job.id);
      if (!c || c.updated_at < job.updated_at) return; // older than what the page shows
      const finished = c.status !== job.status && ['completed', 'failed', 'stopped'].includes(c.status);
      Object.assign(job, { status: c.status, lease_owner: c.worker, bars_done: c.bars_done, bars_total: c.bars_total,
        equity: c.equity, last_error: c.last_error, updated_at: c.updated_at });
      drawHead(job); drawStats(job);
      if (finished) refresh();
      else if (!chartTimer) chartTimer = setTimeout(() => { chartTimer = null; drawCharts(); }, 2000);
    },
    events(events) {
      for (const e of events) if (e.job_id === job.id && e.id > lastEvent) { history.append(eventRow(e)); lastEvent = e.id; }
    },
    logs(lines) {
      for (const l of lines) {
        if (l.seq <= lastLine) continue; // already on the page (a message replayed after the load)
        lastLine = l.seq;
        if (l.metadata.job === String(job.id)) logBox.append(logLine(l));
      }
    },
    resync: () => refresh(),
  };
}

// ---------- create / edit ----------

async function registry() {
  if (!S.registry) S.registry = (await api('GET', '/api/registry')).data.components;
  return S.registry;
}

function paramInput(field, p, value) {
  const v = value !== undefined ? value : p.default;
  let input;
  if (p.kind === 'bool') {
    input = h('select', { dataset: { field, kind: p.kind } }, h('option', { value: 'true', selected: v === true }, 'true'),
      h('option', { value: 'false', selected: v !== true }, 'false'));
  } else if (p.kind === 'choice') {
    input = h('select', { dataset: { field, kind: p.kind } }, (p.choices || []).map(c => h('option', { value: c, selected: c === v }, c)));
  } else {
    input = h('input', { dataset: { field, kind: p.kind }, value: v === undefined || v === null ? '' : v,
      placeholder: p.required ? 'required' : 'optional', inputmode: p.kind === 'string' ? null : 'decimal' });
  }
  return h('label', { title: `${p.summary} (${p.expected})` }, `${p.name}${p.required ? ' *' : ''}`, input);
}

function readParams(box) {
  const out = {};
  for (const el of box.querySelectorAll('[data-kind]')) {
    const name = el.dataset.field.split('.').pop();
    const raw = el.value.trim();
    if (raw === '') continue;
    if (el.dataset.kind === 'int' || el.dataset.kind === 'double') out[name] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else if (el.dataset.kind === 'bool') out[name] = raw === 'true';
    else out[name] = raw;
  }
  return out;
}

function showFieldError(root, err, jsonBox) {
  for (const el of root.querySelectorAll('.field-error')) el.remove();
  for (const el of root.querySelectorAll('.invalid')) el.classList.remove('invalid');
  const top = root.querySelector('#form-error');
  top.textContent = '';
  const field = (err.field || '').replace(/^run\./, '').replace(/\[\d+\]$/, '');
  const el = field && !jsonBox ? root.querySelector(`[data-field="${CSS.escape(field)}"]`) : null;
  if (el) {
    el.classList.add('invalid');
    el.after(h('span', { class: 'field-error', id: 'field-error' }, err.message));
    el.focus();
  } else {
    top.textContent = err.field ? `${err.field}: ${err.message}` : err.message;
  }
}

async function viewForm(q, editName, edited) {
  const show = claimMain();
  const comps = await registry();
  const { data: sets } = await api('GET', '/api/datasets');
  const of = prefix => comps.filter(c => c.namespace.startsWith(prefix));
  let base = null;
  const from = editName || q.get('from');
  if (from) base = (await api('GET', `/api/jobs/${encodeURIComponent(from)}`)).data.spec;
  const spec = edited || (base ? JSON.parse(JSON.stringify(base)) : {
    name: '', mode: 'backtest', labels: [], data: { path: '' },
    exchange: { namespace: 'exchanges:simulated', symbol: { base: 'BTC', quote: 'USDT' }, config: {} },
    strategy: { namespace: 'strategies:sma_cross', config: {} },
    fees: { namespace: 'fees:generic', config: {} }, portfolio: { cash: 100000 } });
  if (base && !editName && !edited) spec.name = `${base.name}-copy`;
  const editing = !!editName;
  const text = (field, label, value, attrs = {}) =>
    h('label', {}, label, h('input', { dataset: { field }, value: value === undefined ? '' : value, disabled: editing, ...attrs }));
  const select = (field, label, options, value, onchange) =>
    h('label', {}, label, h('select', { dataset: { field }, disabled: editing, onchange }, options.map(o => h('option', { value: o, selected: o === value }, o))));
  const paramBox = kind => h('div', { class: 'form', id: `${kind}-params` });
  const boxes = { strategy: paramBox('strategy'), fees: paramBox('fees'), exchange: paramBox('exchange') };
  const fillParams = (kind, namespace, config) => {
    const c = comps.find(x => x.namespace === namespace);
    boxes[kind].replaceChildren(...(c ? c.parameters.map(p => paramInput(`${kind}.config.${p.name}`, p, config[p.name])) : []));
  };
  const nsSelect = (kind, prefix, label) => select(`${kind}.namespace`, label, of(prefix).map(c => c.namespace), spec[kind].namespace,
    e => fillParams(kind, e.target.value, {}));
  const general = h('div', { class: 'form', id: 'general' },
    text('name', 'Name *', spec.name, { id: 'f-name' }),
    select('mode', 'Mode', ['backtest', 'paper'], spec.mode),
    select('data.set', 'Data set', [''].concat(sets.map(d => d.name)), spec.data.set || ''),
    text('data.path', 'or a bar file (on the workers)', spec.data.path, { id: 'f-data' }),
    select('data.format', 'Format', ['', 'seed', 'plain', 'binance', 'catalog'], spec.data.format || ''),
    text('exchange.symbol.base', 'Base', spec.exchange.symbol.base),
    text('exchange.symbol.quote', 'Quote', spec.exchange.symbol.quote),
    text('portfolio.cash', 'Cash', spec.portfolio.cash),
    text('labels', 'Labels (comma-separated)', (spec.labels || []).join(',')),
    text('paper_pace_ms', 'Paper pace (ms per bar)', spec.paper_pace_ms || ''));
  const strategyHead = h('div', { class: 'form' }, nsSelect('strategy', 'strategies:', 'Strategy'));
  strategyHead.querySelector('select').disabled = editing;
  const feesHead = h('div', { class: 'form' }, nsSelect('fees', 'fees:', 'Fee model'));
  const exchangeHead = h('div', { class: 'form' }, nsSelect('exchange', 'exchanges:', 'Exchange'));
  fillParams('strategy', spec.strategy.namespace, spec.strategy.config || {});
  fillParams('fees', spec.fees.namespace, spec.fees.config || {});
  fillParams('exchange', spec.exchange.namespace, spec.exchange.config || {});
  if (editing) for (const el of [...boxes.fees.querySelectorAll('input,select'), ...boxes.exchange.querySelectorAll('input,select')]) el.disabled = true;
  const formPane = h('div', { id: 'form-pane' },
    h('div', { class: 'card' }, h('h2', {}, 'Job'), general),
    h('div', { class: 'card' }, h('h2', {}, 'Strategy'), strategyHead, boxes.strategy),
    h('div', { class: 'card' }, h('h2', {}, 'Exchange and fees'), exchangeHead, boxes.exchange, feesHead, boxes.fees));
  const readForm = () => {
    const val = f => { const el = formPane.querySelector(`[data-field="${f}"]`); return el ? el.value.trim() : ''; };
    const out = JSON.parse(JSON.stringify(spec));
    out.name = val('name');
    out.mode = val('mode');
    out.data = val('data.set') ? { set: val('data.set') } : { path: val('data.path') };
    if (val('data.format') && !val('data.set')) out.data.format = val('data.format');
    out.exchange = { namespace: val('exchange.namespace'), symbol: { base: val('exchange.symbol.base'), quote: val('exchange.symbol.quote') }, config: readParams(boxes.exchange) };
    out.strategy = { namespace: val('strategy.namespace'), config: readParams(boxes.strategy) };
    out.fees = { namespace: val('fees.namespace'), config: readParams(boxes.fees) };
    const cash = val('portfolio.cash');
    out.portfolio = Object.assign({}, spec.portfolio, { cash: Number.isFinite(Number(cash)) && cash !== '' ? Number(cash) : cash });
    out.labels = val('labels') ? val('labels').split(',').map(s => s.trim()).filter(Boolean) : [];
    const pace = val('paper_pace_ms');
    if (pace) out.paper_pace_ms = Number(pace); else delete out.paper_pace_ms;
    return out;
  };
  const json = h('textarea', { id: 'spec-json', spellcheck: 'false' });
  const jsonPane = h('div', { id: 'json-pane', class: 'card', hidden: true }, json);
  let mode = 'form';
  const tabForm = h('button', { class: 'on', id: 'tab-form' }, 'Form');
  const tabJson = h('button', { id: 'tab-json' }, 'JSON');
  const root = h('div', {});
  tabForm.onclick = () => {
    if (mode === 'form' || !show.current()) return; // moved on: the redraw would claim the new page
    let parsed;
    try { parsed = JSON.parse(json.value); } catch (x) { root.querySelector('#form-error').textContent = `JSON: ${x.message}`; return; }
    viewForm(q, editName, parsed).then(v => { S.view = v; }, x => { if (!(x instanceof Superseded)) toast(x.message); }); // the form drawn again from the edited spec
  };
  tabJson.onclick = () => {
    if (mode === 'json') return;
    json.value = JSON.stringify(editing ? readForm().strategy.config : readForm(), null, 2);
    mode = 'json'; tabJson.classList.add('on'); tabForm.classList.remove('on');
    formPane.hidden = true; jsonPane.hidden = false;
  };
  if (editing) tabForm.onclick = () => { mode = 'form'; tabForm.classList.add('on'); tabJson.classList.remove('on'); formPane.hidden = false; jsonPane.hidden = true; };
  const submit = h('button', { class: 'primary', id: 'submit-job' }, editing ? 'Reload strategy config' : 'Create job');
  submit.onclick = async () => {
    let body;
    try { body = mode === 'json' ? JSON.parse(json.value) : readForm(); } catch (x) { root.querySelector('#form-error').textContent = `JSON: ${x.message}`; return; }
    submit.disabled = true;
    try {
      if (editing) {
        await api('POST', `/api/jobs/${encodeURIComponent(editName)}/reload`, { config: mode === 'json' ? body : body.strategy.config });
        toast(`Reloaded ${editName}`);
        location.hash = `#/job/${encodeURIComponent(editName)}`;
      } else {
        const { data } = await api('POST', '/api/jobs', body);
        toast(`Created ${data.name}`);
        location.hash = `#/job/${encodeURIComponent(data.name)}`;
      }
    } catch (x) {
      if (editing && x.field && !x.field.startsWith('strategy')) x.field = `strategy.config.${x.field}`;
      showFieldError(root, x, mode === 'json');
    } finally { submit.disabled = false; }
  };
  root.append(h('div', { class: 'toolbar' }, h('h1', {}, editing ? `Reload ${editName}` : 'New job'), h('div', { class: 'tabs' }, tabForm, tabJson)),
    editing ? h('p', { class: 'muted' }, 'A running job picks up the new strategy configuration at its next chunk; the rest of a job is fixed (duplicate it to change more).') : null,
    formPane, jsonPane, h('p', { class: 'error', id: 'form-error' }), h('div', { class: 'toolbar' }, submit));
  show(root);
  return {};
}

// ---------- workers ----------

async function viewWorkers() {
  const show = claimMain();
  const { data: workers } = await api('GET', '/api/workers');
  const act = async (w, verb) => {
    const text = verb === 'drain'
      ? `Drain ${w.id}? It takes no new job, and its ${w.running_jobs + (w.assigned_jobs || 0)} job(s) checkpoint and move to other workers.`
      : `Undrain ${w.id}? It takes jobs again.`;
    if (!(await confirmAction(text))) return;
    try { await api('POST', `/api/workers/${encodeURIComponent(w.id)}/${verb}`); toast(`${verb} ${w.id}`); show.reload(); } catch (x) { toast(x.message); }
  };
  const body = h('tbody', { id: 'workers-body' }, workers.map(w => h('tr', { dataset: { id: w.id } },
    h('td', {}, w.id), h('td', {}, w.host), h('td', {}, (w.labels || []).join(', ')),
    h('td', { class: 'num', title: 'running / capacity (+ handed over, waiting to start)' }, `${w.running_jobs} / ${w.capacity}` + (w.assigned_jobs ? ` +${w.assigned_jobs}` : '')),
    h('td', {}, w.connected ? h('span', { class: 'badge running' }, w.draining ? 'draining' : 'connected') : h('span', { class: 'badge stopped' }, 'disconnected')),
    h('td', { title: w.last_heartbeat_at }, ago(w.last_heartbeat_at)), h('td', { class: 'muted' }, w.version),
    h('td', { class: 'needs-admin' }, w.draining ? h('button', { onclick: () => act(w, 'undrain') }, 'Undrain') : h('button', { class: 'drain', onclick: () => act(w, 'drain') }, 'Drain')))));
  if (!workers.length) body.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No worker has connected yet.')));
  show(h('h1', {}, 'Workers'), h('div', { class: 'card scroll' }, h('table', { id: 'workers' },
    h('thead', {}, h('tr', {}, ['id', 'host', 'labels', 'jobs', 'state', 'last heartbeat', 'version', ''].map(t => h('th', {}, t)))), body)));
  const later = () => show.later(1000);
  return { jobs: later, events(es) { if (es.some(e => e.kind.startsWith('worker') || e.kind === 'assigned')) later(); }, resync: () => route() };
}

// ---------- data sets ----------

function fmtBytes(n) { return n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`; }
function fmtInterval(ms) {
  for (const [unit, len] of [['d', 86400000], ['h', 3600000], ['m', 60000], ['s', 1000]]) if (ms >= len && ms % len === 0) return `${ms / len}${unit}`;
  return `${ms}ms`;
}

// The first five jobs (or sweeps) using a data set or model, as links, and how many more.
function usedBy(names, link) {
  if (!names.length) return ['—'];
  return names.slice(0, 5).flatMap((n, i) => [i ? ', ' : '', h('a', { href: link(n) }, n)])
    .concat(names.length > 5 ? [` and ${names.length - 5} more`] : []);
}

// A file to a route that takes it whole (data sets, models): the record it answers, or its error.
async function uploadFile(url, file) {
  const headers = { Accept: 'application/json', 'Content-Type': 'application/octet-stream' };
  if (S.csrf) headers['X-CSRF-Token'] = S.csrf;
  const r = await fetch(url, { method: 'POST', headers, credentials: 'same-origin', body: file });
  const data = (r.headers.get('content-type') || '').includes('json') ? await r.json() : null;
  if (!r.ok) throw new ApiError(r.status, data);
  return { status: r.status, data };
}

// After an upload: the fields still holding what was sent are emptied; one changed meanwhile (the
// next upload being typed in) is kept. `sent` is [[input, value or File]].
function clearSent(sent) {
  for (const [el, v] of sent) if (el.type === 'file' ? el.files[0] === v : el.value === v) el.value = '';
}

// A page's table drawn again from its list route, leaving the rest of the page (a form half filled
// in) as it is. A reply older than the last one asked for is dropped, and one equal to what is
// shown leaves the rows as they are (a button is never swapped under the pointer for nothing).
function tableRefresher(body, url, rows, shown) {
  let asked = 0, last = JSON.stringify(shown);
  return async () => {
    const mine = ++asked;
    try {
      const { data } = await api('GET', url);
      const text = JSON.stringify(data);
      if (mine === asked && text !== last) { last = text; body.replaceChildren(...rows(data)); }
    } catch (x) { if (x.status !== 401 && mine === asked) toast(x.message); } // a newer reply drew the table
  };
}

async function viewData() {
  const show = claimMain();
  const { data: sets } = await api('GET', '/api/datasets');
  const remove = async d => {
    if (!(await confirmAction(`Remove the data set ${d.name}? Workers drop their copies as their caches fill.`))) return;
    try { await api('DELETE', `/api/datasets/${encodeURIComponent(d.name)}`); toast(`Removed ${d.name}`); } catch (x) { toast(x.message); }
    refresh();
  };
  const link = n => n.endsWith(' (sweep)') ? `#/sweep/${encodeURIComponent(n.slice(0, -8))}` : `#/job/${encodeURIComponent(n)}`;
  const rows = sets => sets.length ? sets.map(d => h('tr', { dataset: { name: d.name } },
    h('td', {}, d.name), h('td', { class: 'muted', title: d.hash }, d.hash.slice(0, 13) + '…'), h('td', { class: 'num' }, d.rows.toLocaleString('en-US')),
    h('td', {}, `${fmtTime(d.first_ms)} … ${fmtTime(d.last_ms)}`), h('td', {}, fmtInterval(d.interval_ms)), h('td', {}, d.symbol || '—'),
    h('td', { class: 'num', title: d.object_stored_at ? `Also in the object store since ${new Date(d.object_stored_at).toISOString()}` : 'In PostgreSQL (workers fetch it from a coordinator)' },
      fmtBytes(d.bytes), d.object_stored_at ? h('span', { class: 'muted' }, ' · S3') : ''),
    h('td', { class: 'hide-sm' }, `${d.source} (${d.format})`), h('td', {}, ...usedBy(d.jobs, link)),
    h('td', { class: 'needs-trader' }, h('button', { class: 'remove', disabled: d.jobs.length > 0, title: d.jobs.length ? 'Used by jobs: delete them first' : '', onclick: () => remove(d) }, 'Remove'))))
    : [h('tr', {}, h('td', { colspan: 10, class: 'muted' }, 'No data set yet: add a bar file below, or with ats data add FILE --name NAME.'))];
  const body = h('tbody', { id: 'datasets-body' }, rows(sets));
  const refresh = tableRefresher(body, '/api/datasets', rows, sets);
  const file = h('input', { id: 'd-file', type: 'file', 'data-field': 'file' });
  const name = h('input', { id: 'd-name', autocomplete: 'off', 'data-field': 'name', placeholder: 'btc-1m' });
  const symbol = h('input', { id: 'd-symbol', autocomplete: 'off', 'data-field': 'symbol', placeholder: 'BTC/USDT' });
  const format = h('select', { id: 'd-format', 'data-field': 'format' }, ['', 'seed', 'plain', 'binance', 'catalog'].map(f => h('option', { value: f }, f || 'detect')));
  file.onchange = () => { if (!name.value && file.files[0]) name.value = file.files[0].name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]/g, '-'); };
  const add = h('form', { class: 'form needs-trader', id: 'dataset-add' },
    h('label', {}, 'Bar file * (CSV or catalog)', file), h('label', {}, 'Name *', name), h('label', {}, 'Symbol', symbol), h('label', {}, 'Format', format),
    h('p', { class: 'error', id: 'dataset-error' }), h('div', { class: 'toolbar' }, h('button', { type: 'submit', id: 'dataset-submit' }, 'Add data set')));
  add.onsubmit = async e => {
    e.preventDefault();
    const error = add.querySelector('#dataset-error');
    error.textContent = '';
    const f = file.files[0];
    if (!f) { error.textContent = 'Choose a bar file.'; return; }
    const sent = [[file, f], [name, name.value], [symbol, symbol.value], [format, format.value]];
    const params = new URLSearchParams({ name: name.value.trim(), source: f.name });
    if (symbol.value.trim()) params.set('symbol', symbol.value.trim());
    if (format.value) params.set('format', format.value);
    const submit = add.querySelector('#dataset-submit');
    submit.disabled = true;
    submit.textContent = 'Uploading…';
    try {
      const { status, data } = await uploadFile(`/api/datasets?${params}`, f);
      toast(`${status === 201 ? 'Added' : 'Already there:'} ${data.name} (${data.rows.toLocaleString('en-US')} bars)`);
      clearSent(sent);
      refresh();
    } catch (x) {
      error.textContent = x.message;
    } finally { submit.disabled = false; submit.textContent = 'Add data set'; }
  };
  show(h('h1', {}, 'Data sets'),
    h('div', { class: 'card scroll' }, h('table', { id: 'datasets' },
      h('thead', {}, h('tr', {}, ['name', 'hash', 'bars', 'span (UTC)', 'interval', 'symbol', 'size', 'source', 'jobs', ''].map(t => h('th', {}, t)))), body)),
    h('div', { class: 'card needs-trader' }, h('h2', {}, 'Add a data set'),
      h('p', { class: 'muted' }, 'Stored once in the cluster under its content hash; workers that lack it fetch it when a job names it.'), add));
  return { events(es) { if (es.some(e => e.kind.startsWith('dataset'))) refresh(); }, resync: refresh };
}

// ---------- trained models ----------

async function viewModels() {
  const show = claimMain();
  const { data: models } = await api('GET', '/api/models');
  const remove = async m => {
    if (!(await confirmAction(`Remove the model ${m.name}? Workers keep their copies until their caches fill.`))) return;
    try { await api('DELETE', `/api/models/${encodeURIComponent(m.name)}`); toast(`Removed ${m.name}`); } catch (x) { toast(x.message); }
    refresh();
  };
  const link = n => n.startsWith('sweep ') ? `#/sweep/${encodeURIComponent(n.slice(6))}` : `#/job/${encodeURIComponent(n)}`;
  const operators = s => Object.entries(s.operators).sort((a, b) => b[1] - a[1]).map(([k, n]) => n > 1 ? `${k} ×${n}` : k).join(', ');
  const rows = models => models.length ? models.map(m => h('tr', { dataset: { name: m.name } },
    h('td', {}, m.name), h('td', { class: 'muted', title: m.hash }, m.hash.slice(0, 13) + '…'), h('td', { class: 'num' }, fmtBytes(m.bytes)),
    h('td', {}, m.summary.inputs.join('; ')), h('td', {}, m.summary.outputs.join('; ')),
    h('td', { class: 'hide-sm muted' }, operators(m.summary)), h('td', { class: 'num' }, m.summary.weights.toLocaleString('en-US')),
    h('td', {}, ...usedBy(m.jobs, link)),
    h('td', { class: 'needs-trader' }, h('button', { class: 'remove', disabled: m.jobs.length > 0, title: m.jobs.length ? 'Run by jobs or searched by sweeps: delete them first' : '', onclick: () => remove(m) }, 'Remove'))))
    : [h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'No model yet: add an ONNX file below, or with ats model add FILE --name NAME --cluster.'))];
  const body = h('tbody', { id: 'models-body' }, rows(models));
  const refresh = tableRefresher(body, '/api/models', rows, models);
  const file = h('input', { id: 'm-file', type: 'file', accept: '.onnx', 'data-field': 'file' });
  const name = h('input', { id: 'm-name', autocomplete: 'off', 'data-field': 'name', placeholder: 'btc-lstm' });
  file.onchange = () => { if (!name.value && file.files[0]) name.value = file.files[0].name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]/g, '-'); };
  const add = h('form', { class: 'form needs-trader', id: 'model-add' },
    h('label', {}, 'ONNX file *', file), h('label', {}, 'Name *', name),
    h('p', { class: 'error', id: 'model-error' }), h('div', { class: 'toolbar' }, h('button', { type: 'submit', id: 'model-submit' }, 'Add model')));
  add.onsubmit = async e => {
    e.preventDefault();
    const error = add.querySelector('#model-error');
    error.textContent = '';
    const f = file.files[0];
    if (!f) { error.textContent = 'Choose an ONNX file.'; return; }
    const sent = [[file, f], [name, name.value]];
    const submit = add.querySelector('#model-submit');
    submit.disabled = true;
    submit.textContent = 'Uploading…';
    try {
      const { status, data } = await uploadFile(`/api/models?${new URLSearchParams({ name: name.value.trim() })}`, f);
      toast(`${status === 201 ? 'Added' : 'Already there:'} ${data.name} (${data.hash})`);
      clearSent(sent);
      refresh();
    } catch (x) {
      error.textContent = x.message;
    } finally { submit.disabled = false; submit.textContent = 'Add model'; }
  };
  show(h('h1', {}, 'Trained models'),
    h('div', { class: 'card scroll' }, h('table', { id: 'models' },
      h('thead', {}, h('tr', {}, ['name', 'hash', 'size', 'inputs', 'outputs', 'operators', 'weights', 'used by', ''].map(t => h('th', {}, t)))), body)),
    h('div', { class: 'card needs-trader' }, h('h2', {}, 'Add a model'),
      h('p', { class: 'muted' }, 'Read and checked first (an operator ATS does not run is refused by name), then stored under its content hash; a job or sweep names it with name= and runs exactly these weights.'), add));
  return { events(es) { if (es.some(e => e.kind.startsWith('model'))) refresh(); }, resync: refresh };
}

// ---------- sweeps ----------

function sweepProgress(sw) {
  return `${sw.trials_done.toLocaleString('en-US')} / ${sw.trials.toLocaleString('en-US')} (${fmtPct(sw.trials ? sw.trials_done / sw.trials : 0)})`;
}

async function sweepAction(sw, verb, reload) {
  const text = { pause: `Pause ${sw.name}? No new chunk starts; running ones finish.`,
    resume: `Resume ${sw.name}? Its chunks not done run again.`,
    cancel: `Cancel ${sw.name}? No new chunk starts and running ones stop (resume continues).` }[verb];
  if (!(await confirmAction(text))) return;
  try { await api('POST', `/api/sweeps/${encodeURIComponent(sw.name)}/${verb}`); toast(`${verb} ${sw.name}`); reload(); } catch (x) { toast(x.message); }
}

function sweepButtons(sw, reload) {
  // A running sweep with failed chunks can be resumed too (its failed chunks run again).
  const verbs = sw.state === 'running' ? [...(sw.chunks_failed > 0 ? ['resume'] : []), 'pause', 'cancel'] : sw.state === 'completed' ? [] : ['resume'];
  return h('span', { class: 'needs-trader' }, verbs.map(v => h('button', { class: `sweep-${v}`, onclick: () => sweepAction(sw, v, reload) }, v[0].toUpperCase() + v.slice(1))));
}

async function viewSweeps() {
  const show = claimMain();
  const { data: sweeps } = await api('GET', '/api/sweeps');
  const body = h('tbody', { id: 'sweeps-body' }, sweeps.map(sw => h('tr', { dataset: { name: sw.name } },
    h('td', {}, h('a', { href: `#/sweep/${encodeURIComponent(sw.name)}` }, sw.name)),
    h('td', {}, h('span', { class: `badge ${sw.state === 'paused' || sw.state === 'cancelled' ? 'stopped' : sw.state}` }, sw.state)),
    h('td', {}, sw.spec ? sw.spec.strategy.namespace.replace('strategies:', '') : '—'),
    h('td', { class: 'num' }, sweepProgress(sw)), h('td', { class: 'num' }, `${sw.chunks_done} / ${sw.chunks}`),
    h('td', { class: 'num' }, sw.chunks_running), h('td', { class: 'num' }, sw.chunks_failed),
    h('td', { title: sw.created_at }, ago(sw.created_at)), h('td', {}, sweepButtons(sw, show.reload)))));
  if (!sweeps.length) body.append(h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'No sweep yet: ats sweep create --name s1 --data-set SET --strategy sma_cross --param fast=int:5..50:5 …')));
  show(h('h1', {}, 'Sweeps'), h('div', { class: 'card scroll' }, h('table', { id: 'sweeps' },
    h('thead', {}, h('tr', {}, ['name', 'state', 'strategy', 'trials done', 'chunks', 'running', 'failed', 'created', ''].map(t => h('th', {}, t)))), body)));
  const later = () => show.later(2000);
  if (sweeps.some(sw => sw.state === 'running')) later();
  return { events(es) { if (es.some(e => e.kind.startsWith('sweep'))) later(); }, resync: () => route() };
}

async function viewSweep(name) {
  const show = claimMain();
  const path = `/api/sweeps/${encodeURIComponent(name)}`;
  const [{ data: sw }, { data: report }] = await Promise.all([api('GET', path), api('GET', `${path}/report?top=20`)]);
  const names = report.names;
  const statistic = report.objective.split(':')[0];
  const flag = (bad, text) => h('span', { class: bad ? 'suspect' : 'fine' }, text);
  const lines = [];
  if (report.mixed_engines) lines.push(h('p', { id: 'sweep-engines', class: 'error' },
    `Mixed engines: ${report.mixed_engines.map(e => `${e.engine} (${e.chunks} chunks)`).join(', ')}; trials from different engines may not compare.`));
  const d = report.deflated_sharpe;
  if (d) lines.push(h('p', { id: 'sweep-dsr' }, 'Deflated Sharpe ratio ', flag(d.suspect, fmtNum(d.value, 4)),
    h('span', { class: 'muted' }, ` (best of ${d.trials} trials, Sharpe variance ${d.sharpe_variance.toPrecision(3)}${d.suspect ? ': below 0.95, the best may be luck' : ''})`)));
  const l = report.research_ledger;
  if (l) lines.push(h('p', { id: 'sweep-ledger' }, 'Deflated by your whole search on this strategy and data ', flag(l.deflated_sharpe.suspect, fmtNum(l.deflated_sharpe.value, 4)),
    h('span', { class: 'muted' }, ` (${l.trials} trials in ${l.sweeps} ${l.sweeps === 1 ? 'sweep' : 'sweeps'})`)));
  const o = report.overfitting;
  if (o) lines.push(h('p', { id: 'sweep-pbo' }, 'Probability of backtest overfitting ', flag(o.suspect, fmtNum(o.probability, 4)),
    h('span', { class: 'muted' }, ` (CSCV, ${o.blocks} blocks, ${o.combinations} splits${o.suspect ? ': above 0.5' : ''})`)));
  if (report.minimum_backtest_years !== undefined && report.minimum_backtest_years !== null) {
    const short = report.minimum_backtest_years > report.data_years;
    lines.push(h('p', {}, 'Minimum backtest length ', flag(short, `${fmtNum(report.minimum_backtest_years)} years`), h('span', { class: 'muted' }, ` against ${fmtNum(report.data_years)} years of data`)));
  }
  // A trial's equity, one click on its row away: run again on the coordinator from the sweep's
  // data set (kept there), beside buy and hold, walk-forward test windows shaded.
  const curveCard = h('div', { class: 'card', id: 'trial-curve' }, h('p', { class: 'muted' }, 'Click a trial to see its equity.'));
  const drawTrial = (trial, c) => {
    const params = names.map(n => `${n}=${c.parameters[n]}`).join(' ');
    const same = c.same_as_sweep === true ? 'the sweep\'s statistics, bit for bit' : c.same_as_sweep === false ? 'differs from what the sweep stored' : 'nothing stored to compare with yet';
    curveCard.replaceChildren(h('h2', {}, `Trial ${trial}: ${params}`),
      h('p', { id: 'trial-curve-summary', class: c.same_as_sweep === false ? 'error' : 'muted' },
        `Return ${fmtPct(c.curve.statistics.total_return)} against buy and hold ${fmtPct(c.curve.statistics.buy_and_hold_return)}, Sharpe ${fmtNum(c.curve.statistics.sharpe)}, max drawdown ${fmtPct(c.curve.statistics.max_drawdown)}; run again: ${same}.`),
      lineChart(c.curve.times, c.curve.equity, { title: `Equity of trial ${trial} (blue) and buy and hold (grey)${c.test_windows.length ? ', test windows shaded' : ''}`, color: '#3465a4',
        others: [{ ys: c.curve.buy_and_hold, color: '#999999', label: 'buy and hold' }], bands: c.test_windows }));
  };
  // The page redraws every few seconds while the sweep runs: a curve already fetched is drawn
  // again at once (a trial's curve does not change once its chunk is in), never blanked.
  const showTrial = async trial => {
    const kept = S.sweepTrial && S.sweepTrial.sweep === name && S.sweepTrial.trial === trial ? S.sweepTrial.data : null;
    S.sweepTrial = { sweep: name, trial, data: kept };
    for (const tr of board.children) tr.classList.toggle('selected', tr.dataset.trial === String(trial));
    if (kept) {
      drawTrial(trial, kept);
      if (kept.same_as_sweep !== null) return;
    } else {
      curveCard.replaceChildren(h('p', { class: 'muted' }, `Running trial ${trial}…`));
    }
    try {
      // Run again on the coordinator, one at a time: a large data set or a queue of runs takes long.
      const { data: c } = await api('GET', `${path}/trials/${trial}/equity?points=400`, undefined, { timeoutMs: 600000 });
      if (S.sweepTrial.trial !== trial || S.sweepTrial.sweep !== name) return;
      S.sweepTrial.data = c;
      drawTrial(trial, c);
    } catch (e) { curveCard.replaceChildren(h('p', { class: 'error' }, e.message)); }
  };
  const board = h('tbody', { id: 'leaderboard-body' }, report.top.map((t, i) => h('tr', { class: 'clickable', dataset: { trial: t.trial }, onclick: () => showTrial(t.trial), title: 'Show its equity' },
    h('td', { class: 'num' }, i + 1), h('td', { class: 'num' }, t.trial), names.map(n => h('td', { class: 'num' }, String(t.parameters[n]))),
    h('td', { class: 'num' }, fmtNum(t.objective, 4)), h('td', { class: 'num' }, fmtPct(t.statistics.total_return)),
    h('td', { class: 'num' }, fmtPct(t.statistics.max_drawdown)), h('td', { class: 'num' }, t.statistics.round_trips))));
  if (!report.top.length) board.append(h('tr', {}, h('td', { colspan: names.length + 6, class: 'muted' }, 'No trial stored yet.')));
  const parts = [h('h1', { id: 'sweep-head' }, `Sweep ${sw.name} `, h('span', { class: `badge ${sw.state === 'paused' || sw.state === 'cancelled' ? 'stopped' : sw.state}` }, sw.state), ' ', sweepButtons(sw, show.reload), ' ',
    h('a', { href: `${path}/report.html`, download: `${sw.name}-sweep.html`, id: 'sweep-report' }, h('button', {}, 'Report'))),
    h('div', { class: 'card' },
      h('p', { id: 'sweep-progress' }, `Trials ${sweepProgress(sw)}, chunks ${sw.chunks_done} / ${sw.chunks} (${sw.chunks_running} running, ${sw.chunks_failed} failed)`),
      sw.waiting_for && sw.state === 'running' ? h('p', { class: 'error', id: 'sweep-waiting' }, `Waiting: ${sw.waiting_for}.`) : '',
      sw.chunks_failed > 0 && sw.state !== 'completed' ? h('p', { class: 'error', id: 'sweep-failed' },
        `${sw.chunks_failed} chunks failed${sw.spec && sw.spec.search === 'tpe' ? ' and the next batch waits for them' : ''}: Resume runs them again (each chunk's job says why).`) : '',
      sw.spec ? h('p', { class: 'muted' }, `${sw.spec.strategy.namespace.replace('strategies:', '')} · ${sw.spec.search} over ${sw.spec.params.join(' ')}${sw.spec.where ? ` where ${sw.spec.where}` : ''} · objective ${sw.spec.objective}${sw.spec.walk_forward ? ` · walk-forward ${sw.spec.walk_forward}` : ''}`) : '',
      lines),
    h('div', { class: 'card scroll' }, h('h2', {}, 'Best trials'), h('table', { id: 'leaderboard' },
      h('thead', {}, h('tr', {}, ['rank', 'trial', ...names, statistic, 'return', 'max drawdown', 'trades'].map(t => h('th', {}, t)))), board)),
    curveCard];
  if (S.sweepTrial && S.sweepTrial.sweep === name) showTrial(S.sweepTrial.trial);
  const w = report.walk_forward;
  if (w) {
    const none = w.efficiency === undefined || w.efficiency === null;
    const day = t => fmtTime(t).slice(0, 10);
    const rows = w.folds.map((f, i) => h('tr', {},
      h('td', { class: 'num' }, i + 1), h('td', {}, `${day(f.train_from)} … ${day(f.train_to)}`),
      h('td', {}, `${day(f.test_from)} … ${day(f.test_to)}`), h('td', { class: 'num' }, f.trial ?? '—'),
      names.map(n => h('td', { class: 'num' }, String(f.parameters[n] ?? ''))),
      h('td', { class: 'num' }, fmtNum(f.in_sample, 4)), h('td', { class: 'num' }, fmtPct(f.out_of_sample_return))));
    const head = h('tr', {}, ['fold', 'train', 'test', 'trial', ...names, `in-sample ${statistic}`, 'test return'].map(t => h('th', {}, t)));
    const summary = h('p', {}, `Out of sample ${fmtPct(w.out_of_sample_return)} (Sharpe ${fmtNum(w.out_of_sample_sharpe)}), `
      + `${fmtPct(w.out_of_sample_annual)} a year against ${fmtPct(w.in_sample_annual)} in sample; efficiency `,
      flag(none || w.efficiency < 0.5, none ? '—' : fmtNum(w.efficiency)));
    parts.push(h('div', { class: 'card scroll' }, h('h2', {}, `Walk-forward: ${w.folds.length} folds`), summary,
      h('table', { id: 'walk-forward' }, h('thead', {}, head), h('tbody', {}, rows))));
  }
  let drawHeatmap = null;
  if (names.length >= 2) {
    const pick = (id, value) => h('select', { id }, names.map(n => h('option', { value: n, selected: n === value }, n)));
    const x = pick('heat-x', names[0]);
    const y = pick('heat-y', names[1]);
    const maps = h('div', { id: 'heatmaps' });
    const draw = async () => {
      try {
        const { data: m } = await api('GET', `${path}/heatmap?x=${encodeURIComponent(x.value)}&y=${encodeURIComponent(y.value)}`);
        const grid = (cells, title) => {
          const values = cells.flat().filter(v => typeof v === 'number');
          const lo = Math.min(...values), hi = Math.max(...values);
          // Ten shades from worst to best (classes: the page's policy allows no inline style).
          const shade = v => typeof v !== 'number' || hi === lo ? 'num' : `num heat-${Math.min(9, Math.floor(10 * (m.objective.endsWith(':min') ? hi - v : v - lo) / (hi - lo)))}`;
          return h('div', { class: 'heatmap' }, h('h3', {}, title), h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, `${m.y} \\ ${m.x}`), m.xs.map(v => h('th', {}, String(v))))),
            h('tbody', {}, m.ys.map((v, r) => h('tr', {}, h('th', {}, String(v)), cells[r].map(c => h('td', { class: shade(c) }, typeof c === 'number' ? fmtNum(c) : '·')))))));
        };
        maps.replaceChildren(grid(m.in_sample, `${m.objective}, in sample`), m.out_of_sample ? grid(m.out_of_sample, `${m.objective}, out of sample`) : '');
      } catch (e) { maps.replaceChildren(h('p', { class: 'error' }, e.message)); }
    };
    x.onchange = draw;
    y.onchange = draw;
    parts.push(h('div', { class: 'card scroll' }, h('h2', {}, 'Heatmap'), h('div', { class: 'toolbar' }, h('label', {}, 'across ', x), h('label', {}, ' down ', y)), maps));
    drawHeatmap = draw;
  }
  // A running sweep's page reloads every two seconds: the axes picked stay picked.
  const restorePicked = keepTyped(['heat-x', 'heat-y']);
  show(...parts);
  restorePicked();
  if (drawHeatmap) drawHeatmap();
  const later = () => show.later(2000); // not while an axis's list is open
  if (sw.state === 'running') later();
  return { events(es) { if (es.some(e => e.kind.startsWith('sweep') && e.job_name === sw.name)) later(); }, resync: () => route() };
}

// ---------- logs ----------

function logLine(l) {
  const meta = Object.entries(l.metadata).sort().map(([k, v]) => `${k}=${v}`).join(' ');
  return h('div', { class: l.level }, `${fmtTime(l.at)} ${l.level.padEnd(7)} ${l.message}${meta ? '  ' + meta : ''}`);
}

async function viewLogs(q) {
  const show = claimMain();
  const level = q.get('level') || 'info';
  const { data: lines } = await api('GET', `/api/logs?limit=1000&level=${encodeURIComponent(level)}`);
  const levels = ['trace', 'debug', 'info', 'notice', 'warning', 'error', 'critical'];
  const min = levels.indexOf(level);
  const box = h('div', { class: 'logs', id: 'log-lines' }, lines.map(logLine));
  let lastLine = lines.reduce((m, l) => Math.max(m, l.seq), 0); // a line replayed after the load is not shown twice
  // Paused, neither new lines nor a reconnect move the page under the reader; what came meanwhile
  // is loaded when they resume.
  let paused = false, missed = 0, reconnected = false;
  const pause = h('button', { id: 'log-pause', onclick: () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused && (missed || reconnected)) show.reload();
  } }, 'Pause');
  const held = () => { pause.textContent = `Resume (${reconnected ? 'reconnected' : `${missed} new`})`; };
  const pick = h('select', { id: 'log-level', onchange: e => { location.hash = `#/logs?level=${e.target.value}`; } },
    levels.map(l => h('option', { value: l, selected: l === level }, l)));
  show(h('div', { class: 'toolbar' }, h('h1', {}, 'Coordinator log'), pick, pause), box);
  box.scrollTop = box.scrollHeight;
  return {
    logs(newLines) {
      newLines = newLines.filter(l => l.seq > lastLine);
      lastLine = newLines.reduce((m, l) => Math.max(m, l.seq), lastLine);
      if (paused) {
        missed += newLines.filter(l => levels.indexOf(l.level) >= min).length;
        if (missed) held();
        return;
      }
      const atEnd = box.scrollTop + box.clientHeight >= box.scrollHeight - 20;
      for (const l of newLines) if (levels.indexOf(l.level) >= min) box.append(logLine(l));
      while (box.childNodes.length > 2000) box.firstChild.remove();
      if (atEnd) box.scrollTop = box.scrollHeight;
    },
    resync: () => { if (paused) { reconnected = true; held(); } else route(); },
  };
}

// ---------- users ----------

async function viewUsers() {
  if (S.role !== 'admin' && S.user) return viewOwnPassword();
  const show = claimMain();
  const { data: users } = await api('GET', '/api/users');
  const root = h('div', {});
  const save = async (name, password, replace, role) => {
    await api('POST', '/api/users', role ? { name, password, replace, role } : { name, password, replace });
    toast(replace ? `new password for ${name}` : `added ${name}`);
  };
  const remove = async u => {
    const self = u.name === S.user;
    const text = self ? `Delete your own user ${u.name}? You are signed out at once.`
      : `Delete ${u.name}? Their sessions end at once.`;
    if (!(await confirmAction(text))) return;
    try { await api('DELETE', `/api/users/${encodeURIComponent(u.name)}`); toast(`deleted ${u.name}`); } catch (x) { toast(x.message); }
    if (self) signedOut(); else show.reload();
  };
  const newPassword = async u => {
    const pass = h('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password', 'data-field': 'password' });
    const form = h('form', { class: 'form', id: 'password-form' }, h('label', {}, `New password for ${u.name}`, pass),
      h('p', { class: 'error', id: 'form-error' }),
      h('div', { class: 'form-actions' }, h('button', { class: 'primary', type: 'submit', id: 'pw-save' }, 'Set password'), ' ',
        h('button', { type: 'button', onclick: () => route() }, 'Cancel')));
    form.addEventListener('submit', async e => {
      e.preventDefault();
      const self = u.name === S.user;
      if (!(await confirmAction(`Set a new password for ${u.name}? Their sessions end${self ? ', yours too' : ''}.`))) return;
      try { await save(u.name, pass.value, true); } catch (x) { showFieldError(form, x, false); return; }
      if (self) signedOut(); else show.reload();
    });
    document.getElementById('user-edit').replaceChildren(form);
    pass.focus();
  };
  const body = h('tbody', { id: 'users-body' }, users.map(u => h('tr', { dataset: { name: u.name } },
    h('td', {}, u.name, u.name === S.user ? h('span', { class: 'muted' }, ' (you)') : null),
    h('td', { class: 'role' }, u.role),
    h('td', {}, u.created_by), h('td', { title: u.created_at }, fmtTime(u.created_at)),
    h('td', { class: 'right' }, h('button', { class: 'pw', onclick: () => newPassword(u) }, 'New password'), ' ',
      h('button', { class: 'delete', onclick: () => remove(u) }, 'Delete')))));
  if (!users.length) body.append(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No user yet: the admin token is the only way in.')));
  const name = h('input', { id: 'u-name', autocomplete: 'off', 'data-field': 'name' });
  const pass = h('input', { id: 'u-password', type: 'password', autocomplete: 'new-password', 'data-field': 'password' });
  const role = h('select', { id: 'u-role', 'data-field': 'role' },
    ['viewer', 'trader', 'admin'].map(r => h('option', { value: r }, r)));
  const add = h('form', { class: 'form', id: 'user-form' },
    h('label', {}, 'Name', name), h('label', {}, 'Password (12 characters or more)', pass),
    h('label', {}, 'Role', role),
    h('p', { class: 'error', id: 'form-error' }),
    h('div', { class: 'form-actions' }, h('button', { class: 'primary', type: 'submit', id: 'user-add' }, 'Add user')));
  add.addEventListener('submit', async e => {
    e.preventDefault();
    try { await save(name.value.trim(), pass.value, false, role.value); show.reload(); } catch (x) { showFieldError(add, x, false); }
  });
  root.append(h('h1', {}, 'Users'),
    h('p', { class: 'muted' }, 'A viewer reads everything but users; a trader also creates and acts on jobs; an admin also manages users and workers. Changes are in the audit trail.'),
    h('div', { class: 'card scroll' }, h('table', { id: 'users' },
      h('thead', {}, h('tr', {}, ['name', 'role', 'added by', 'added', ''].map(t => h('th', {}, t)))), body)),
    h('div', { class: 'card', id: 'user-edit' }, add));
  show(root);
  return {};
}

/// Anyone below an admin: a new password for themselves, proving the current one.
function viewOwnPassword() {
  const show = claimMain();
  const current = h('input', { id: 'pw-current', type: 'password', autocomplete: 'current-password', 'data-field': 'current_password' });
  const pass = h('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password', 'data-field': 'password' });
  const form = h('form', { class: 'form', id: 'own-password-form' },
    h('label', {}, 'Current password', current), h('label', {}, 'New password (12 characters or more)', pass),
    h('p', { class: 'error', id: 'form-error' }),
    h('div', { class: 'form-actions' }, h('button', { class: 'primary', type: 'submit', id: 'pw-save' }, 'Set my password')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await api('POST', '/api/users', { name: S.user, password: pass.value, current_password: current.value, replace: true });
    } catch (x) { showFieldError(form, x, false); return; }
    signedOut();
  });
  show(h('div', {}, h('h1', {}, 'My password'),
    h('p', { class: 'muted' }, `You are a ${S.role}. Setting a new password signs you out everywhere.`), h('div', { class: 'card' }, form)));
  return {};
}

// ---------- routing ----------

async function route() {
  if (!S.user && !S.csrf && !S.adminToken) return;
  const hash = location.hash || '#/jobs';
  const path = hash.split('?')[0];
  const q = parseQuery(hash);
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', path.startsWith(`#/${a.dataset.nav}`));
  const token = (route.token = (route.token || 0) + 1);
  S.pending = [];
  try {
    let view;
    if (path.startsWith('#/job/')) view = await viewJob(decodeURIComponent(path.slice(6)));
    else if (path === '#/new') view = await viewForm(q, null);
    else if (path.startsWith('#/edit/')) view = await viewForm(q, decodeURIComponent(path.slice(7)));
    else if (path === '#/workers') view = await viewWorkers();
    else if (path === '#/data') view = await viewData();
    else if (path === '#/models') view = await viewModels();
    else if (path === '#/sweeps') view = await viewSweeps();
    else if (path.startsWith('#/sweep/')) view = await viewSweep(decodeURIComponent(path.slice(8)));
    else if (path === '#/logs') view = await viewLogs(q);
    else if (path === '#/users') view = await viewUsers();
    else view = await viewJobs(q);
    if (token !== route.token) return;
    const pending = S.pending || [];
    S.pending = null;
    S.view = view;
    // What came through the stream while the page loaded: a change it must not miss (a job's
    // last one, say) is not sent again. Views skip what their own data is already past.
    for (const [kind, data] of pending) {
      try { if (view && view[kind]) view[kind](data); } catch (e) { console.error(e); } // as a live message's would
    }
  } catch (x) {
    if (token === route.token) S.pending = null;
    if (x.status === 401 || x instanceof Superseded || token !== route.token) return;
    document.getElementById('main').replaceChildren(h('div', { class: 'card' }, h('p', { class: 'error', id: 'page-error' }, x.message),
      h('button', { id: 'page-retry', onclick: route }, 'Try again'), ' ', h('a', { href: '#/jobs' }, 'Back to the jobs')));
  }
}

async function start() {
  document.getElementById('signout').addEventListener('click', async () => {
    try { await api('DELETE', '/api/session'); } catch (x) { /* signed out anyway */ }
    signedOut();
  });
  window.addEventListener('hashchange', route);
  try {
    const { data } = await api('GET', '/api/session');
    if (!data.user) { S.adminToken = true; }
    signedIn(data);
    route();
  } catch (x) {
    showLogin(x.status === 401 ? '' : x.message);
  }
}

document.addEventListener('DOMContentLoaded', start);
