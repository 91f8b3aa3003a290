// Live dashboard of the price engine: polls /metrics.json about once a second, draws the
// per-second latency series with uPlot, and runs the in-process performance test.
// Plain browser script, no build step; uPlot is loaded before it as a global.
(function () {
  'use strict';

  /** Poll interval, ms: the engine closes one latency second per second. */
  var POLL_MS = 1000;
  var $ = function (id) { return document.getElementById(id); };

  /** "0.123 ms" (µs below 1 ms read better as ms with 3 decimals), or "–" when unknown. */
  function ms(value) {
    if (value === null || value === undefined || !isFinite(value)) return '–';
    return (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(3)) + ' ms';
  }
  function count(n) { return Number(n).toLocaleString('en-US'); }
  function duration(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
    return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + sec + 's';
  }

  var chart = null;
  function chartSize() {
    var width = Math.max(300, $('chart').clientWidth);
    return { width: width, height: 300 };
  }
  function makeChart(data) {
    var size = chartSize();
    var opts = {
      width: size.width,
      height: size.height,
      scales: { x: { time: true }, y: { auto: true, range: function (u, min, max) { return [0, Math.max(1.2, max * 1.1)]; } } },
      axes: [
        // Whole seconds only: uPlot would otherwise label half seconds while the series is short.
        { stroke: '#8b98a5', grid: { stroke: '#263040' }, space: 70, incrs: [1, 2, 5, 10, 15, 30, 60, 120],
          values: function (u, splits) { return splits.map(function (v) { return new Date(v * 1000).toTimeString().slice(0, 8); }); } },
        { stroke: '#8b98a5', grid: { stroke: '#263040' }, label: 'ms', values: function (u, vals) { return vals.map(function (v) { return v.toFixed(2); }); } },
      ],
      series: [
        {},
        { label: 'p50', stroke: '#3fb950', width: 1.5, value: function (u, v) { return ms(v); } },
        { label: 'p95', stroke: '#d29922', width: 2, value: function (u, v) { return ms(v); } },
        { label: 'p99', stroke: '#f85149', width: 1.5, value: function (u, v) { return ms(v); } },
        { label: '1 ms requirement', stroke: '#58a6ff', dash: [6, 6], width: 1, points: { show: false }, value: function () { return '1 ms'; } },
      ],
    };
    return new uPlot(opts, data, $('chart'));
  }
  window.addEventListener('resize', function () { if (chart) chart.setSize(chartSize()); });

  function seriesData(points) {
    var xs = [], p50 = [], p95 = [], p99 = [], req = [];
    for (var i = 0; i < points.length; i++) {
      xs.push(points[i].t / 1000);
      p50.push(points[i].p50);
      p95.push(points[i].p95);
      p99.push(points[i].p99);
      req.push(1);
    }
    return [xs, p50, p95, p99, req];
  }

  function setValue(id, text, state) {
    var el = $(id);
    el.textContent = text;
    el.classList.toggle('ok', state === 'ok');
    el.classList.toggle('bad', state === 'bad');
  }

  function render(m) {
    var lat = m.recent.latency;
    setValue('p50', ms(lat.p50));
    setValue('p95', ms(lat.p95), lat.p95 === null ? '' : lat.p95 < m.requirement.belowMs ? 'ok' : 'bad');
    setValue('p99', ms(lat.p99));
    setValue('throughput', count(m.throughput.ticksPerS) + ' ticks/s');
    var rate = m.errors.recentRate * 100;
    setValue('error-rate', (rate === 0 ? '0' : rate < 0.01 ? '<0.01' : rate.toFixed(2)) + ' %', rate > 0 ? 'bad' : 'ok');
    setValue('ticks', count(m.totals.ticksProcessed));
    setValue('subscribers', count(m.subscribers));
    $('uptime').textContent = duration(m.uptimeS);
    var data = seriesData(m.series);
    if (chart === null) chart = makeChart(data);
    else chart.setData(data);
  }

  function setStatus(text, cls) {
    var el = $('status');
    el.textContent = text;
    el.className = 'status ' + cls;
  }

  function poll() {
    fetch('/metrics.json', { cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (m) {
        render(m);
        setStatus('live', 'live');
      })
      .catch(function (err) {
        setStatus('unreachable: ' + err.message, 'down');
      })
      .finally(function () { setTimeout(poll, POLL_MS); });
  }

  function showResult(r) {
    var pass = r.pass;
    var lat = r.latency;
    var box = $('test-result');
    box.innerHTML = '';
    var verdict = document.createElement('span');
    verdict.className = 'verdict ' + (pass ? 'pass' : 'fail');
    verdict.setAttribute('data-testid', 'verdict');
    verdict.textContent = pass ? 'PASS' : 'FAIL';
    box.appendChild(verdict);
    box.appendChild(document.createTextNode(
      'p95 ' + ms(lat.p95) + (pass ? ' < ' : ' ≥ ') + r.requirement.belowMs + ' ms' + (r.rejected > 0 ? ' (' + count(r.rejected) + ' ticks refused)' : '')));
    var rows = [
      ['ticks', count(r.accepted) + ' of ' + count(r.ticks) + ' accepted, ' + count(r.measured) + ' quotes measured'],
      ['rate', count(r.achievedRate) + ' ticks/s achieved (' + count(r.rate) + ' asked), ' + (r.durationMs / 1000).toFixed(2) + ' s'],
      ['latency', 'p50 ' + ms(lat.p50) + ' · p95 ' + ms(lat.p95) + ' · p99 ' + ms(lat.p99) + ' · mean ' + ms(lat.mean) + ' · min ' + ms(lat.min) + ' · max ' + ms(lat.max)],
    ];
    var table = document.createElement('table');
    rows.forEach(function (row) {
      var tr = document.createElement('tr');
      row.forEach(function (cell) { var td = document.createElement('td'); td.textContent = cell; tr.appendChild(td); });
      table.appendChild(tr);
    });
    box.appendChild(table);
  }

  $('run-test').addEventListener('click', function () {
    var button = $('run-test');
    button.disabled = true;
    button.textContent = 'Running…';
    $('test-result').textContent = '';
    fetch('/perf-test', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })
      .then(function (res) {
        return res.ok ? res.json() : res.text().then(function (t) { throw new Error(t.trim() || 'HTTP ' + res.status); });
      })
      .then(showResult)
      .catch(function (err) { $('test-result').textContent = 'The test could not run: ' + err.message; })
      .finally(function () {
        button.disabled = false;
        button.textContent = 'Run performance test';
      });
  });

  poll();
})();
