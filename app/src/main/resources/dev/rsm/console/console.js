// RSM console: reads the read-only admin API and renders one page per URL fragment.
//   #/                          cluster overview (nodes, shards, machines per node)
//   #/types                     machine types
//   #/machines/<type>?q=&after= machines of a type, searchable, paged
//   #/machine/<type>/<id>       one machine: state, channels, timers, keys, step timeline
//   #/problems                  recent rejections and the replica monitor's divergences
// Values from the API are put into the page as text nodes (never as HTML).
'use strict';

const API = new URL('../admin/', location.href);
const REFRESH_MS = { overview: 5000, machine: 3000, problems: 5000 };
let refreshTimer = null;
let renderSeq = 0;

// ---------------------------------------------------------------- helpers

/** An element: h('td', {class: 'x'}, 'text', child, ...). Strings become text nodes. */
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const enc = encodeURIComponent;
const machineHref = (type, id) => `#/machine/${enc(type)}/${enc(id)}`;
const machineLink = (a) => h('a', { href: machineHref(a.type, a.id), class: 'machine-link' }, `${a.type}/${a.id}`);

function ago(ms) {
  if (!ms) return 'unknown';
  return duration(Date.now() - ms) + ' ago';
}

function duration(ms) {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  if (s < 86400) return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  return Math.floor(s / 86400) + ' d ' + Math.floor((s % 86400) / 3600) + ' h';
}

const when = (ms) => h('span', { title: ms ? new Date(ms).toISOString() : '' }, ago(ms));
const json = (v) => h('pre', {}, JSON.stringify(v, null, 2));
const inline = (v) => h('code', {}, JSON.stringify(v));
// A call's request is an input marked call; its answer and an effect's outcome have fields of their own.
const input = (i) => i == null ? h('span', { class: 'muted' }, '—')
  : i.type === 'reply' ? h('span', {}, h('b', {}, 'answer'), ` ${i.status} to call #${i.call} `, input(i.request),
    i.status === 'OK' ? h('span', {}, ' → ', inline(i.value)) : h('span', { class: 'muted' }, ' ' + (i.error || '')))
  : i.type === 'effect-outcome' ? h('span', {}, h('b', {}, 'outcome'), ` of ${i.effect} `,
    i.ok ? h('span', {}, 'ok after ', String(i.attempts), ' → ', inline(i.value)) : badge('failed after ' + i.attempts + ': ' + i.error, 'bad'))
  : h('span', {}, h('b', {}, i.type), i.call ? ' (call) ' : ' ', inline(i.value));
const badge = (text, kind) => h('span', { class: 'badge ' + (kind || '') }, text);
const stat = (value, label, id) => h('div', { class: 'stat', id }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
const card = (title, ...body) => h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
const table = (head, rows, empty, id) => rows.length === 0
  ? h('p', { class: 'empty', id }, empty)
  : h('table', { id }, h('thead', {}, h('tr', {}, head.map((t) => h('th', {}, t)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));

/** GET an admin endpoint as JSON; a 401 asks for the management port's bearer token. */
async function api(path) {
  const headers = {};
  const token = sessionStorage.getItem('rsm-token');
  if (token) headers.Authorization = 'Bearer ' + token;
  const r = await fetch(new URL(path, API), { headers, cache: 'no-store' });
  if (r.status === 401) throw new NeedsToken();
  const body = await r.json().catch(() => ({ error: 'HTTP ' + r.status }));
  if (!r.ok) throw new ApiError(r.status, body.error || ('HTTP ' + r.status));
  return body;
}

class NeedsToken extends Error {}
class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

function tokenForm() {
  const field = h('input', { type: 'password', id: 'token', placeholder: 'bearer token', autocomplete: 'off' });
  return card('Authentication',
    h('p', {}, 'This node\'s management port needs a bearer token (rsm.http.auth). It is kept for this browser tab only.'),
    h('form', { class: 'search', onsubmit: (e) => { e.preventDefault(); sessionStorage.setItem('rsm-token', field.value); render(); } },
      field, h('button', { type: 'submit' }, 'Use token')));
}

// ---------------------------------------------------------------- routing

function parseRoute() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, query] = hash.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, params: new URLSearchParams(query || '') };
}

async function render() {
  clearTimeout(refreshTimer);
  const seq = ++renderSeq;
  const { parts, params } = parseRoute();
  const page = parts[0] || 'overview';
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active',
    a.dataset.nav === (page === 'machine' ? 'machines' : page)));
  const views = { overview, types, machines, machine, problems };
  const view = views[page];
  let content;
  try {
    content = view ? await view(parts.slice(1), params) : h('div', { class: 'error' }, 'No page at ' + location.hash);
  } catch (e) {
    content = e instanceof NeedsToken ? tokenForm()
      : h('div', { class: 'error', id: 'error' }, e instanceof ApiError ? `${e.status}: ${e.message}` : String(e));
  }
  if (seq !== renderSeq) return; // the user moved on meanwhile
  const main = document.getElementById('page');
  const scroll = window.scrollY;
  main.replaceChildren(content);
  window.scrollTo(0, scroll);
  document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  const every = REFRESH_MS[page];
  if (every && document.getElementById('live').checked) refreshTimer = setTimeout(render, every);
}

window.addEventListener('hashchange', () => { window.scrollTo(0, 0); render(); });
document.getElementById('live').addEventListener('change', render);

// ---------------------------------------------------------------- pages

// The journal's machine counts (a COUNT per type) are refreshed once a minute, not with every reload.
let typesCache = null;
async function typesAtMostMinutely() {
  if (!typesCache || Date.now() - typesCache.at > 60000) typesCache = { at: Date.now(), body: await api('types') };
  return typesCache.body;
}

async function overview() {
  const [cluster, types, problems] = await Promise.all([api('cluster'), typesAtMostMinutely(), api('rejections')]);
  document.getElementById('node').textContent = 'node ' + cluster.self;
  const members = cluster.members;
  const up = members.filter((m) => m.status === 'Up' && m.reachable).length;
  const totalMachines = members.reduce((n, m) => n + m.machines, 0);
  const totalShards = members.reduce((n, m) => n + m.shards, 0);
  const nodes = members.map((m) => {
    const state = !m.reachable ? badge('unreachable', 'bad') : m.status === 'Up' ? badge('Up', 'ok') : badge(m.status, 'warn');
    const perType = Object.entries(m.types).sort(([a], [b]) => a.localeCompare(b)).map(([type, t]) => t.error
      ? h('div', {}, h('b', {}, type), ' ', h('span', { class: 'muted' }, t.error))
      : h('div', { class: 'node-type' },
          h('div', {}, h('a', { href: '#/machines/' + enc(type) }, h('b', {}, type)), ' — ',
            `${t.machines} running in ${t.shards.length} shard${t.shards.length === 1 ? '' : 's'}`),
          h('div', { class: 'ids' }, t.shards.flatMap((s) => s.ids.map((id) =>
            h('a', { href: machineHref(type, id), title: 'shard ' + s.id }, id)))),
          t.truncated ? h('div', { class: 'muted' }, 'more running than listed') : null));
    return h('section', { class: 'card node-card', 'data-address': m.address },
      h('h3', {}, state, m.address, m.self ? badge('this node') : null),
      h('div', { class: 'stats' }, stat(m.error ? '?' : m.shards, 'shards'), stat(m.error ? '?' : m.machines, 'machines running')),
      h('div', { style: 'margin-top:10px' }, m.error ? h('span', { class: 'muted' }, m.error)
        : perType.length ? perType : h('span', { class: 'muted' }, 'no shard region answered')));
  });
  return h('div', { id: 'overview' },
    h('h1', {}, 'Cluster overview'),
    card(null, h('div', { class: 'stats' },
      stat(`${up} / ${members.length}`, 'nodes up', 'nodes-up'),
      stat(totalShards, 'shards'),
      stat(totalMachines, 'machines running'),
      stat(types.types.reduce((n, t) => n + t.machines, 0), 'machines in the journal'),
      stat(problems.rejections.length, h('a', { href: '#/problems' }, 'recent rejections'))),
      h('p', { class: 'muted' }, 'Running machines are those the shard regions hold now; idle machines sleep in the journal and wake on their next input.')),
    h('div', { class: 'grid', id: 'node-list' }, nodes));
}

async function types() {
  const t = await api('types');
  return h('div', {},
    h('h1', {}, 'Machine types'),
    card(null, table(['Type', 'Inputs', 'State', 'Machines in the journal'], t.types.map((x) => [
      h('a', { href: '#/machines/' + enc(x.name) }, h('b', {}, x.name)),
      h('span', {}, x.inputs.map((i) => h('code', { style: 'margin-right:4px' }, i))),
      h('code', {}, x.stateType),
      String(x.machines)]), 'No machine types.', 'types-table')));
}

async function machines(parts, params) {
  const t = await api('types');
  const type = parts[0] || (t.types[0] && t.types[0].name);
  if (!type) return h('p', { class: 'empty' }, 'No machine types.');
  const q = params.get('q') || '';
  const after = params.get('after');
  const query = new URLSearchParams({ limit: '50' });
  if (q) query.set('q', q);
  if (after) query.set('after', after);
  const page = await api(`types/${enc(type)}/machines?${query}`);
  const select = h('select', { id: 'type-select' }, t.types.map((x) => h('option', { value: x.name, selected: x.name === type }, x.name)));
  const field = h('input', { id: 'machine-search', type: 'search', placeholder: 'machine id contains…', value: q });
  const go = (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (field.value) p.set('q', field.value);
    location.hash = `#/machines/${enc(select.value)}` + (p.toString() ? '?' + p : '');
  };
  select.addEventListener('change', go);
  const next = page.next ? h('a', { href: `#/machines/${enc(type)}?` + new URLSearchParams(Object.assign(q ? { q } : {}, { after: page.next })), id: 'next-page' }, 'Next page →') : null;
  return h('div', {},
    h('h1', {}, 'Machines'),
    h('form', { class: 'search', onsubmit: go }, select, field, h('button', { type: 'submit', id: 'search-button' }, 'Search')),
    card(null,
      table(['Machine', 'Journal rows', 'Last step written'], page.machines.map((m) => [
        h('a', { href: machineHref(type, m.id), class: 'machine-row' }, m.id), String(m.rows), when(m.lastWriteAt)]),
        q ? `No ${type} machine id contains “${q}”.` : `No ${type} machine has taken a step yet.`, 'machine-table'),
      h('div', { class: 'pager' }, after ? h('a', { href: `#/machines/${enc(type)}` + (q ? '?q=' + enc(q) : '') }, '← First page') : null, next)));
}

async function machine(parts, params) {
  const [type, id] = parts;
  const path = `machines/${enc(type)}/${enc(id)}`;
  const before = params.get('before');
  const [m, journal] = await Promise.all([api(path),
    api(`${path}/journal?order=desc&limit=25` + (before ? '&from=' + enc(before) : ''))]);
  const unacked = m.outbox.flatMap((c) => c.unacked.map((u) => ({ to: c.to, ...u })));
  const health = m.replayError ? badge('replay differs', 'bad')
    : unacked.length ? badge(`${unacked.length} unacknowledged`, 'warn') : badge('settled', 'ok');
  const p = m.placement || {};
  const where = p.running ? badge('running on ' + p.node, 'ok')
    : p.running === false ? badge('asleep in the journal') : badge('placement unknown', 'warn');
  return h('div', { id: 'machine' },
    h('h1', {}, h('span', { class: 'muted' }, type + ' /'), h('span', { id: 'machine-id' }, id), health,
      h('span', { id: 'placement', title: 'shard ' + p.shard + (p.node ? ' on ' + p.node : ', hosted by no node now') }, where)),
    m.replayError ? h('div', { class: 'error' }, 'Replaying the journal with the deployed handlers differs: ' + m.replayError) : null,
    card(null, h('div', { class: 'stats' },
      stat(m.steps, 'steps', 'steps'), stat(m.rows, 'journal rows'), stat(h('span', {}, when(m.lastStepAt)), 'last step'),
      stat(unacked.length, 'unacknowledged outputs'), stat(m.timers.length, 'armed timers'),
      stat(m.pendingEffects.length, 'pending effects'))),
    h('div', { class: 'cols' },
      h('div', {},
        card('State', h('div', { id: 'state' }, json(m.state))),
        card('Outbox — outputs not yet handled by their receiver', h('div', { id: 'outbox' },
          table(['Receiver', 'No.', 'Sent', 'Input'], unacked.map((u) => [machineLink(u.to), '#' + u.seq,
            h('span', { class: 'age' }, u.sentAt ? duration(u.ageMillis) + ' ago' : 'before the snapshot'), input(u.input)]),
          'Every output has been handled by its receiver.', 'unacked-table'),
          m.outbox.length ? h('p', { class: 'muted' }, 'Channels: ', m.outbox.map((c) =>
            h('span', { style: 'margin-right:10px' }, machineLink(c.to), ` sent ${c.lastSeq}, handled ${c.delivered < 0 ? '?' : c.delivered}`))) : null)),
        card('Inbox — last input handled per sender', h('div', { id: 'inbox' },
          table(['Sender', 'Handled up to'], m.inbox.map((c) => [machineLink(c.from), '#' + c.handled]), 'No input from another machine yet.'))),
        card('Timers', h('div', { id: 'timers' },
          table(['Name', 'Generation', 'Due', 'Input'], m.timers.map((t) => [h('b', {}, t.name), String(t.generation),
            h('span', { title: new Date(t.deadline).toISOString() }, t.dueInMillis >= 0 ? 'in ' + duration(t.dueInMillis) : 'due'), input(t.input)]),
          'No timer armed.', 'timers-table'))),
        card('Effects — requested, outcome not yet handled', h('div', { id: 'effects' },
          table(['Effect', 'Idempotency key', 'Request'], m.pendingEffects.map((e) => [h('b', {}, e.name), h('code', {}, e.key),
            inline(e.request)]), 'No effect pending.', 'effects-table'))),
        card('Recent idempotency keys', h('div', { id: 'keys' },
          table(['Key', 'Step time', 'Recorded reply'], m.idempotencyKeys.map((k) => [h('code', {}, k.key), when(k.at), inline(k.reply)]),
          'No idempotency key remembered.'),
          m.idempotencyKeysTotal > m.idempotencyKeys.length ? h('p', { class: 'muted' }, `${m.idempotencyKeysTotal} remembered in all`) : null))),
      card('Steps, newest first', timeline(journal, type, id))));
}

function timeline(journal, type, id) {
  const items = journal.steps.map((s) => {
    const o = s.origin;
    const from = o.kind === 'channel' ? h('span', {}, 'from ', machineLink(o.from), ` #${o.seq}`)
      : o.kind === 'timer' ? h('span', {}, `timer “${o.name}” (generation ${o.generation})`)
      : o.kind === 'effect' ? h('span', {}, `effect ${o.id}`)
      : h('span', {}, 'external', o.key ? h('span', {}, ' key ', h('code', {}, o.key)) : ' (no key)');
    const details = [];
    if (s.rejected) details.push(h('div', { class: 'detail' }, badge('rejected', 'bad'), ' ', s.rejected));
    s.sends.forEach((x) => details.push(h('div', { class: 'detail' }, '→ sent ', machineLink(x.to), ` #${x.seq} `, input(x.input))));
    s.timers.forEach((t) => details.push(h('div', { class: 'detail' }, t.cancel ? `cancelled timer “${t.name}”`
      : h('span', {}, `armed timer “${t.name}” for ${new Date(t.deadline).toISOString()} `, input(t.input)))));
    (s.effects || []).forEach((e) => details.push(h('div', { class: 'detail' }, '⚡ requested effect ', h('b', {}, e.name), ' ', inline(e.request))));
    if (s.reply !== null) details.push(h('div', { class: 'detail' }, '↩ replied ', inline(s.reply)));
    return h('li', { class: 'step ' + (s.rejected ? 'rejected' : o.kind) },
      h('div', { class: 'head' }, h('span', { class: 'what' }, input(s.input)), from,
        h('span', { class: 'muted' }, `row ${s.row}${s.index ? '.' + s.index : ''} · `, when(s.time))),
      details);
  });
  const older = journal.next ? h('a', { href: machineHref(type, id) + '?before=' + journal.next, id: 'older' }, 'Older steps →') : null;
  return h('div', { id: 'timeline' }, items.length ? h('ol', { class: 'timeline' }, items) : h('p', { class: 'empty' }, 'No steps.'),
    h('div', { class: 'pager' }, older));
}

async function problems() {
  const [r, d] = await Promise.all([api('rejections'), api('divergences')]);
  const monitor = d.monitor === 'on'
    ? h('div', {}, h('div', { class: 'stats' }, stat(d.status.divergences, 'divergences'), stat(d.status.stepsChecked, 'steps checked'),
        stat(d.status.rowsBehind, 'rows behind'), stat(duration(d.status.millisBehind), 'lag')),
      h('p', { class: 'muted' }, 'Runs on ' + d.status.runsOn),
      table(['Machine', 'Step', 'Row', 'Difference'], d.status.recent.map((x) => [machineLink(x.machine), String(x.step), String(x.row), x.difference]),
        'No divergence: every step re-run so far produced what its journal holds.', 'divergence-table'))
    : h('p', { class: 'muted' }, d.monitor === 'off' ? 'The replica monitor is off (' + d.hint + ').' : d.error);
  return h('div', {},
    h('h1', {}, 'Rejections & divergences'),
    card('Recent rejections', h('p', { class: 'muted' }, 'Inputs a handler failed on for good, on every reachable node (each keeps its latest; the log has them all).',
      r.silent.length ? h('span', { class: 'badge warn', style: 'margin-left:8px' }, 'no answer from ' + r.silent.join(', ')) : null),
      h('div', { id: 'rejections' },
      table(['When', 'Machine', 'Origin', 'Input', 'Reason', 'Journaled', 'Node'], r.rejections.map((x) => [when(x.at), machineLink(x.machine),
        h('code', {}, x.origin), input(x.input), x.reason, x.journaled ? badge('step ' + x.seqNr, 'bad') : badge('answered 500', 'warn'),
        h('span', { class: 'muted' }, x.node)]),
      'No input rejected recently.', 'rejection-table'))),
    card('Replica monitor', h('div', { id: 'divergences' }, monitor)));
}

// The node this console is served by, for the header (every page's data comes from it).
api('cluster').then((c) => { document.getElementById('node').textContent = 'node ' + c.self; }).catch(() => {});
render();
