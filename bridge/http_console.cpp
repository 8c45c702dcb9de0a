// The console of serve --http (cli.md: `GET /`): one page, its script and its style, shipped
// in the binary (no build step, no CDN). The script builds every element with
// textContent, never innerHTML, so nothing a peer sent (a subject, a host's reply) is
// ever parsed as HTML; the CSP allows scripts and styles from this origin only.
#include "bridge/http_api.hpp"

namespace maillab::bridge {

std::string console_csp() {
  return "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
         "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
}

std::string console_page() {
  return R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>maillab console</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<header><h1>maillab console</h1><span id="clock">t = 0s</span></header>
<main>
<section id="hosts-section"><h2>Hosts</h2><table id="hosts"><thead><tr><th>host</th><th>address</th><th>services</th><th>state</th><th>fault</th></tr></thead><tbody></tbody></table></section>
<section id="chart-section"><h2>Sequence chart</h2><div id="chart-box"><img id="chart" alt="the timeline as a sequence chart" src="/api/v1/timeline.svg"></div></section>
<section id="mail-section"><h2>Mailboxes</h2><table id="messages"><thead><tr><th>host</th><th>user</th><th>folder</th><th>from</th><th>subject</th><th>size</th></tr></thead><tbody></tbody></table>
<pre id="viewer">(select a message)</pre></section>
<section id="queue-section"><h2>Queues</h2><table id="queues"><thead><tr><th>host</th><th>id</th><th>state</th><th>recipients</th><th>attempts</th><th>last reason</th></tr></thead><tbody></tbody></table></section>
<section id="timeline-section"><h2>Timeline</h2><table id="timeline"><thead><tr><th>#</th><th>t</th><th>host</th><th>agent</th><th>event</th><th>detail</th></tr></thead><tbody></tbody></table></section>
</main>
<noscript>The console needs JavaScript; the REST API under /api/v1/ works without it.</noscript>
</body>
</html>
)html";
}

std::string console_script() {
  return R"js('use strict';
function cell(row, text) { const td = document.createElement('td'); td.textContent = text; row.appendChild(td); return td; }
function fill(id, items, make) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren();
  for (const item of items) { const tr = document.createElement('tr'); make(tr, item); body.appendChild(tr); }
}
async function json(path, options) { const r = await fetch(path, options); return r.json(); }
function secs(ns) { return (Number(ns) / 1e9).toFixed(3) + 's'; }
async function post_event(ev) {
  const r = await json('/api/v1/events', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(ev)});
  if (r.error) alert(r.error);
  refresh();
}
async function show(id) {
  const r = await fetch('/api/v1/messages/' + encodeURIComponent(id) + '/raw');
  document.getElementById('viewer').textContent = await r.text();
}
async function refresh() {
  const hosts = await json('/api/v1/hosts');
  fill('hosts', hosts, (tr, h) => {
    cell(tr, h.name); cell(tr, h.address); cell(tr, h.services.join(' '));
    cell(tr, h.up ? 'up' : 'down').className = h.up ? 'up' : 'down';
    const b = document.createElement('button');
    b.textContent = h.up ? 'take down' : 'bring up';
    b.dataset.host = h.name;
    b.addEventListener('click', () => post_event(h.up ? {down: h.name} : {up: h.name}));
    cell(tr, '').appendChild(b);
  });
  fill('messages', await json('/api/v1/messages'), (tr, m) => {
    for (const k of ['host', 'user', 'folder', 'from', 'subject']) cell(tr, m[k]);
    cell(tr, String(m.size));
    tr.className = 'message';
    tr.addEventListener('click', () => show(m.id));
  });
  document.getElementById('chart').src = '/api/v1/timeline.svg?at=' + Date.now();
  fill('queues', await json('/api/v1/queues'), (tr, q) => {
    cell(tr, q.host); cell(tr, q.id); cell(tr, q.state); cell(tr, q.recipients.join(', '));
    cell(tr, String(q.attempts)); cell(tr, q.last_reason);
  });
}
const skip = new Set(['t_ns', 'host', 'agent', 'event']);
function add_event(n, e) {
  const body = document.querySelector('#timeline tbody');
  const tr = document.createElement('tr');
  cell(tr, String(n)); cell(tr, secs(e.t_ns)); cell(tr, e.host); cell(tr, e.agent); cell(tr, e.event);
  cell(tr, Object.entries(e).filter(([k]) => !skip.has(k)).map(([k, v]) => k + '=' + v).join(' '));
  body.insertBefore(tr, body.firstChild);
  while (body.children.length > 500) body.removeChild(body.lastChild);
  document.getElementById('clock').textContent = 't = ' + secs(e.t_ns);
}
let pending = null;
function start() {
  refresh();
  const source = new EventSource('/api/v1/stream?since=0');
  source.onmessage = (m) => {
    add_event(m.lastEventId, JSON.parse(m.data));
    if (!pending) pending = setTimeout(() => { pending = null; refresh(); }, 2000);
  };
}
document.addEventListener('DOMContentLoaded', start);
)js";
}

std::string console_style() {
  return R"css(body { font-family: sans-serif; margin: 1em; color: #222; }
header { display: flex; gap: 2em; align-items: baseline; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.up { color: #070; } td.down { color: #b00; font-weight: bold; }
tr.message { cursor: pointer; } tr.message:hover { background: #eef; }
#viewer { background: #f8f8f8; border: 1px solid #ccc; padding: 0.5em; max-height: 20em; overflow: auto; white-space: pre-wrap; }
#timeline { font-family: monospace; }
#chart-box { max-height: 32em; overflow: auto; border: 1px solid #ccc; }
)css";
}

}  // namespace maillab::bridge
