/**
 * CartPinger Dashboard chart: reads the inline JSON (#cartpinger-dashboard-data) written by
 * src/Admin/DashboardPage.php and draws the per-day series with the bundled uPlot
 * (assets/vendor/uplot/, MIT). x values are the site's days as Unix time at UTC midnight.
 */
(function () {
	'use strict';

	function draw() {
		var holder = document.getElementById('cartpinger-chart');
		var source = document.getElementById('cartpinger-dashboard-data');
		if (!holder || !source || typeof window.uPlot !== 'function') {
			return;
		}
		var data;
		try {
			data = JSON.parse(source.textContent);
		} catch (e) {
			return;
		}
		var colors = ['#2271b1', '#8c8f94', '#00a32a', '#72aee6', '#d63638', '#dba617'];
		var series = [{ label: '', value: function (u, ts) { return ts == null ? '' : new Date(ts * 1000).toISOString().slice(0, 10); } }];
		var values = [data.x];
		data.series.forEach(function (s, i) {
			series.push({ label: s.label, stroke: colors[i % colors.length], width: 2, points: { show: data.x.length <= 31 } });
			values.push(s.data);
		});
		var width = function () {
			return Math.max(320, Math.min(960, holder.clientWidth || 960));
		};
		var plot = new window.uPlot({
			width: width(),
			height: 300,
			series: series,
			// A real legend: each series' name and colour (values only in the cursor's tooltip).
			legend: { live: false },
			tzDate: function (ts) { return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
			scales: { y: { range: function (u, min, max) { return [0, Math.max(5, max)]; } } },
			axes: [{
				incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400],
				values: function (u, ticks) { return ticks.map(function (t) { return new Date(t * 1000).toISOString().slice(5, 10); }); }
			}, { values: function (u, ticks) { return ticks.map(function (t) { return Number.isInteger(t) ? String(t) : ''; }); } }]
		}, values, holder);
		window.addEventListener('resize', function () {
			plot.setSize({ width: width(), height: 300 });
		});
		holder.setAttribute('data-rendered', '1');
	}

	if (document.readyState === 'loading') {
		document.addEventListener('DOMContentLoaded', draw);
	} else {
		draw();
	}
}());
