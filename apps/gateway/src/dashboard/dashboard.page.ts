// The dashboard is one self-contained page (no build step, no CDN: the machines it runs on may have
// no internet). It polls the REST API every 2 s.
export const DASHBOARD_HTML = /* html */ `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kairos</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
 body{font:14px system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}
 header{background:#1d2330;color:#fff;padding:12px 24px;display:flex;gap:16px;align-items:baseline}
 header h1{margin:0;font-size:20px} header span{opacity:.7}
 main{padding:16px 24px;display:grid;grid-template-columns:1fr 1fr;gap:16px}
 section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0001}
 section.wide{grid-column:1/3} h2{font-size:15px;margin:0 0 8px}
 table{border-collapse:collapse;width:100%} td,th{padding:4px 6px;border-bottom:1px solid #eee;text-align:left;font-size:13px}
 .pill{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#ddd}
 .succeeded{background:#c9f2d3}.failed,.timed_out,.upstream_failed{background:#f8c9c9}.running{background:#cfe3ff}.queued{background:#fff1c2}.cancelled{background:#e3e3e3}
 .counts{display:flex;gap:12px;flex-wrap:wrap}.count{padding:8px 12px;border-radius:6px;min-width:80px}.count b{display:block;font-size:22px}.count.zero{background:#f0f1f3;color:#8a8f98}
 form{display:flex;gap:8px} input{flex:1;padding:6px} button{padding:6px 12px}
 #error{color:#b00020}
</style></head>
<body>
<header><h1>Kairos</h1><span id="health">…</span></header>
<main>
 <section><h2>Tasks by status</h2><div class="counts" id="counts"></div></section>
 <section><h2>Submit a shell command</h2>
  <form id="submit"><input id="cmd" name="cmd" placeholder="echo hello" aria-label="command"><button type="submit">Run</button></form>
  <div id="error" role="alert"></div></section>
 <section><h2>Completed per minute (last 30 min)</h2><svg id="chart" width="100%" height="140" role="img" aria-label="throughput chart"></svg></section>
 <section><h2>Nodes</h2><table id="nodes"><thead><tr><th>node</th><th>status</th><th>running</th><th>cpu</th><th>mem</th></tr></thead><tbody></tbody></table></section>
 <section class="wide"><h2>Recent tasks</h2><table id="tasks"><thead><tr><th>id</th><th>name / command</th><th>queue</th><th>status</th><th>exit</th><th>attempts</th><th>duration</th><th>output</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
const $ = (s) => document.querySelector(s);
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
async function get(path) { const r = await fetch(path); if (!r.ok) throw new Error(path + ': ' + r.status); return r.json(); }
function describe(t) { const r = t.run || {}; return t.name || (r.kind === 'shell' ? r.command.join(' ') : r.kind === 'http' ? r.method + ' ' + r.url : r.kind); }
function drawChart(points) {
  const svg = $('#chart'); const w = svg.clientWidth || 400, h = 140;
  const byMinute = new Map();
  for (const p of points) { const m = byMinute.get(p.minute) || { ok: 0, bad: 0 }; if (p.status === 'succeeded') m.ok += p.count; else m.bad += p.count; byMinute.set(p.minute, m); }
  const rows = [...byMinute.entries()].sort(); const max = Math.max(1, ...rows.map(([, m]) => m.ok + m.bad));
  const bw = Math.max(4, Math.min(30, (w - 40) / Math.max(1, rows.length) - 2));
  let out = '<text x="0" y="12" font-size="11">' + max + '</text><line x1="30" y1="' + (h - 20) + '" x2="' + w + '" y2="' + (h - 20) + '" stroke="#999"/>';
  rows.forEach(([minute, m], i) => {
    const x = 32 + i * (bw + 2), okH = (m.ok / max) * (h - 30), badH = (m.bad / max) * (h - 30);
    out += '<rect class="bar" x="' + x + '" y="' + (h - 20 - okH) + '" width="' + bw + '" height="' + okH + '" fill="#3aa55d"><title>' + minute + ': ' + m.ok + ' succeeded</title></rect>';
    out += '<rect x="' + x + '" y="' + (h - 20 - okH - badH) + '" width="' + bw + '" height="' + badH + '" fill="#d9534f"><title>' + minute + ': ' + m.bad + ' not succeeded</title></rect>';
  });
  if (!rows.length) out += '<text x="40" y="70" fill="#888">no completed tasks yet</text>';
  svg.innerHTML = out;
}
async function refresh() {
  try {
    const [health, stats, tasks] = await Promise.all([get('/health'), get('/api/stats'), get('/api/tasks?limit=25')]);
    $('#health').textContent = health.status + ' · db ' + health.databaseKind + ' · bus ' + health.bus + (health.mlBackend ? ' · ml ' + health.mlBackend : '');
    $('#counts').innerHTML = ['queued','running','succeeded','failed','timed_out','cancelled','upstream_failed'].map((s) => '<div class="count ' + (stats.tasks[s] ? s : 'zero') + '" data-status="' + s + '"><b>' + (stats.tasks[s] || 0) + '</b>' + s + '</div>').join('');
    $('#nodes tbody').innerHTML = stats.nodes.map((n) => '<tr><td>' + esc(n.id) + '</td><td><span class="pill ' + (n.status === 'ready' ? 'succeeded' : 'failed') + '">' + esc(n.status) + '</span></td><td>' + n.running + '</td><td>' + n.cpuMillis + 'm</td><td>' + n.memMb + ' MB</td></tr>').join('');
    $('#tasks tbody').innerHTML = tasks.map((t) => '<tr data-id="' + t.id + '"><td>' + t.id.slice(0, 8) + '</td><td>' + esc(describe(t)) + '</td><td>' + esc(t.queue) + '</td><td><span class="pill ' + t.status + '">' + t.status + '</span></td><td>' + (t.exitCode ?? '') + '</td><td>' + t.attempts + '/' + t.maxAttempts + '</td><td>' + (t.durationMs ?? '') + (t.durationMs != null ? ' ms' : '') + '</td><td><code>' + esc((t.outputTail || t.error || '').slice(-80)) + '</code></td></tr>').join('');
    drawChart(stats.throughput);
  } catch (e) { $('#health').textContent = 'unreachable: ' + e.message; }
}
$('#submit').addEventListener('submit', async (ev) => {
  ev.preventDefault(); $('#error').textContent = '';
  const cmd = $('#cmd').value.trim();
  try {
    const r = await fetch('/api/tasks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ run: { kind: 'shell', shell: true, command: [cmd] }, name: cmd || undefined }) });
    const body = await r.json().catch(() => ({ message: r.status + ' ' + r.statusText }));
    if (!r.ok) { $('#error').textContent = body.message; return; }
  } catch (e) { $('#error').textContent = 'could not submit: ' + e.message; return; }
  $('#cmd').value = ''; refresh();
});
refresh(); setInterval(refresh, 2000);
</script></body></html>`;
