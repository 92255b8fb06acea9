/* arrdbg's HTML report: draws the page from the JSON in #arrdbg-data
   (html.py inlines this file).  Every piece of text from the report goes
   through textContent or setAttribute, never innerHTML: labels and file
   names are data, not markup.  When it has drawn everything it sets
   data-arrdbg-ready="1" on <body>; an error anywhere is written into
   #arrdbg-errors (the tests load the page in headless Chromium and read
   both from the DOM). */
(function () {
  "use strict";
  var errors = [];
  function noteError(msg) {
    errors.push(String(msg));
    var box = document.getElementById("arrdbg-errors");
    if (box) { box.textContent = errors.join("\n"); }
    document.body.setAttribute("data-arrdbg-errors", String(errors.length));
  }
  window.addEventListener("error", function (e) { noteError("error: " + e.message + " at line " + e.lineno); });
  var consoleError = console.error;
  console.error = function () {
    noteError("console.error: " + Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };

  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    if (attrs) { for (var k in attrs) { if (attrs.hasOwnProperty(k)) { n.setAttribute(k, attrs[k]); } } }
    (kids || []).forEach(function (c) {
      n.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    });
    return n;
  }
  var SVG = "http://www.w3.org/2000/svg";
  function sv(tag, attrs, text) {
    var n = document.createElementNS(SVG, tag);
    for (var k in attrs) { if (attrs.hasOwnProperty(k)) { n.setAttribute(k, attrs[k]); } }
    if (text !== undefined) { n.textContent = text; }
    return n;
  }
  function fmt(n) { return n === null || n === undefined ? "" : Number(n).toLocaleString("en-US"); }
  function human(n) {
    var a = Math.abs(n), u = [["GB", 1e9], ["MB", 1e6], ["kB", 1e3]];
    for (var i = 0; i < u.length; i++) { if (a >= u[i][1]) { return (n / u[i][1]).toFixed(1) + " " + u[i][0]; } }
    return n + " B";
  }
  function base(f) { if (!f) { return "?"; } var i = f.lastIndexOf("/"); return i < 0 ? f : f.slice(i + 1); }
  function loc(f, l) { return base(f) + (l ? ":" + l : ""); }
  function shape(s, dt) { return s ? (dt || "") + "(" + s.join(", ") + (s.length === 1 ? "," : "") + ")" : ""; }

  var D = JSON.parse(document.getElementById("arrdbg-data").textContent);
  var root = document.getElementById("arrdbg");
  root.textContent = "";
  function section(title, id) {
    var s = el("section", {id: id}, [el("h2", null, [title])]);
    root.appendChild(s);
    return s;
  }

  /* header */
  var t = D.totals;
  root.appendChild(el("h1", null, ["arrdbg: NumPy data memory — " + D.title]));
  var tot = el("div", {"class": "totals", id: "totals"}, [
    el("span", null, ["peak ", el("b", null, [fmt(t.peak_bytes)]), " bytes (" + human(t.peak_bytes) + ")"]),
    el("span", null, ["allocated ", el("b", null, [fmt(t.alloc_bytes)]), " in " + fmt(t.allocs) + " arrays"]),
    el("span", null, ["freed ", el("b", null, [fmt(t.freed_bytes)])]),
    el("span", null, ["live now ", el("b", null, [fmt(t.live_bytes)]), " in " + fmt(t.live) + " arrays"])]);
  if (D.window) {
    tot.appendChild(el("span", null, ["block: peak above its start ", el("b", null, [fmt(D.window.peak)]),
      ", copies " + fmt(D.window.copies) + ", pinned bases " + (D.window.pinned === null ? "?" : fmt(D.window.pinned))]));
  }
  root.appendChild(tot);
  root.appendChild(el("pre", {id: "arrdbg-errors", "class": "errors"}, []));

  /* live memory over time, the peak marked */
  var sPlot = section("Live NumPy memory over time", "plot");
  var pts = D.timeline && D.timeline.length ? D.timeline.slice() : null;
  var byEvent = false;
  if (!pts) {  /* no sampling (a saved report without a timeline): the peak alone, by event */
    byEvent = true;
    pts = [[0, 0, 0], [D.peak.event, D.peak.event, D.peak.bytes], [t.seq, t.seq, t.live_bytes]];
  }
  var W = 1000, H = 240, L = 70, R = 10, T = 14, B = 26;
  var xs = pts.map(function (p) { return byEvent ? p[1] : p[0]; });
  var xmax = Math.max.apply(null, xs.concat([1e-9]));
  var ymax = Math.max.apply(null, pts.map(function (p) { return p[2]; }).concat([D.peak.bytes, 1]));
  function X(v) { return L + (W - L - R) * v / xmax; }
  function Y(v) { return H - B - (H - B - T) * v / ymax; }
  var svg = sv("svg", {"class": "plot", viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", id: "plot-svg"});
  var d = "M" + X(xs[0]) + "," + Y(0);
  for (var i = 0; i < pts.length; i++) {
    if (i > 0) { d += "L" + X(xs[i]) + "," + Y(pts[i - 1][2]); }
    d += "L" + X(xs[i]) + "," + Y(pts[i][2]);
  }
  d += "L" + X(xs[xs.length - 1]) + "," + Y(0) + "Z";
  svg.appendChild(sv("path", {"class": "area", d: d}));
  svg.appendChild(sv("line", {"class": "axis", x1: L, y1: H - B, x2: W - R, y2: H - B}));
  svg.appendChild(sv("line", {"class": "axis", x1: L, y1: T, x2: L, y2: H - B}));
  svg.appendChild(sv("text", {x: 4, y: T + 8}, human(ymax)));
  svg.appendChild(sv("text", {x: 4, y: H - B}, "0"));
  svg.appendChild(sv("text", {x: W - R - 140, y: H - 8}, byEvent ? "event " + fmt(xmax) : xmax.toFixed(3) + " s"));
  var pk = null;
  pts.forEach(function (p, j) { if (p[1] === D.peak.event && (!pk || p[2] > pk[2])) { pk = [xs[j], p[2]]; } });
  if (pk) {
    svg.appendChild(sv("circle", {"class": "peak", cx: X(pk[0]), cy: Y(pk[1]), r: 5, id: "peak-mark"}));
    svg.appendChild(sv("text", {x: Math.min(X(pk[0]) + 8, W - 240), y: Math.max(Y(pk[1]) + 4, T + 10)},
      "peak " + human(D.peak.bytes) + " at event " + fmt(D.peak.event)));
  }
  sPlot.appendChild(svg);
  sPlot.appendChild(el("p", {"class": "muted"}, [byEvent ?
    "No timeline in this report (run --html or --json samples one): the peak and the end, by event number." :
    pts.length + " points, sampled; the peak is placed at its own event."]));
  if (D.phases.length) {
    sPlot.appendChild(el("p", null, ["Phases: " + D.phases.map(function (p) {
      return p.name + " " + human(p.bytes); }).join(", ")]));
  }
  var live = D.peak.live;
  var lt = el("table", {id: "peak-table"}, [el("tr", null, [el("th", {"class": "n"}, ["bytes"]),
    el("th", null, ["made at"]), el("th", null, ["op"]), el("th", null, ["array"]), el("th", null, ["since the peak"])])]);
  live.slice(0, 50).forEach(function (a) {
    lt.appendChild(el("tr", null, [el("td", {"class": "n"}, [fmt(a.bytes)]), el("td", null, [loc(a.file, a.line)]),
      el("td", null, [a.op]), el("td", null, [shape(a.shape, a.dtype)]), el("td", null, [a.freed_since ? "freed" : "still live"])]));
  });
  var nLive = typeof D.peak.arrays === "number" ? D.peak.arrays : live.length;
  sPlot.appendChild(el("h3", null, ["Buffers live at the peak (" + fmt(nLive) + ", largest first" +
    (nLive > 50 ? ", the first 50" : "") + ")"]));
  sPlot.appendChild(lt);

  /* the per-line table: sortable, filterable */
  var sLines = section("Per line (bytes allocated where made, freed where released)", "lines");
  var cols = [["line", "loc", false], ["function", 2, false], ["ops", 7, false], ["allocated", 3, true],
              ["freed", 4, true], ["net", 5, true], ["arrays", 6, true], ["code", 8, false]];
  var rows = D.lines.map(function (r) {
    return {r: r, loc: D.files[r[0]] + ":" + r[1], key: (D.paths[r[0]] + ":" + r[1] + " " + r[2] + " " + r[7] + " " + r[8]).toLowerCase()};
  });
  var state = {col: 3, dir: -1, q: "", limit: 200};
  /* the page's address can set the table: #q=TEXT&sort=COLUMN&dir=asc|desc */
  (location.hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
    var i = kv.indexOf("="), k = i < 0 ? kv : kv.slice(0, i), v = i < 0 ? "" : kv.slice(i + 1);
    try { v = decodeURIComponent(v); } catch (e) { return; }  /* a malformed address: ignored */
    if (k === "q") { state.q = v.toLowerCase(); }
    if (k === "sort") { cols.forEach(function (c, ci) { if (c[0] === v) { state.col = ci; } }); }
    if (k === "dir") { state.dir = v === "asc" ? 1 : -1; }
  });
  var input = el("input", {type: "search", placeholder: "filter: file, line, function, op or code", id: "line-filter"});
  input.value = state.q;
  var count = el("span", {"class": "muted", id: "line-count"}, []);
  sLines.appendChild(el("div", {"class": "filter"}, [input, " ", count]));
  var table = el("table", {id: "line-table"}, []);
  var head = el("tr", null, []);
  cols.forEach(function (c, ci) {
    var th = el("th", {"class": "sort" + (c[2] ? " n" : ""), "data-col": String(ci), title: "sort"}, [c[0]]);
    th.addEventListener("click", function () {
      state.dir = state.col === ci ? -state.dir : (c[2] ? -1 : 1);
      state.col = ci;
      draw();
    });
    head.appendChild(th);
  });
  var tbody = el("tbody", null, []);
  table.appendChild(el("thead", null, [head]));
  table.appendChild(tbody);
  sLines.appendChild(table);
  var more = el("button", {id: "line-more"}, ["show 1,000 more"]);
  more.addEventListener("click", function () { state.limit += 1000; draw(); });
  sLines.appendChild(more);
  function value(x, ci) { var c = cols[ci][1]; return c === "loc" ? x.loc : x.r[c]; }
  function draw() {
    var q = state.q, ci = state.col, dir = state.dir;
    var shown = q ? rows.filter(function (x) { return x.key.indexOf(q) >= 0; }) : rows.slice();
    shown.sort(function (a, b) {
      var va = value(a, ci), vb = value(b, ci);
      return va < vb ? -dir : va > vb ? dir : 0;
    });
    tbody.textContent = "";
    var frag = document.createDocumentFragment();
    shown.slice(0, state.limit).forEach(function (x) {
      var r = x.r;
      frag.appendChild(el("tr", {"class": /copy|astype|ascontiguous|asfortran|indexing/.test(r[7]) ? "copy" : ""}, [
        el("td", {title: D.paths[r[0]] + ":" + r[1]}, [x.loc]), el("td", null, [r[2]]), el("td", null, [r[7]]),
        el("td", {"class": "n"}, [fmt(r[3])]), el("td", {"class": "n"}, [fmt(r[4])]),
        el("td", {"class": "n" + (r[5] < 0 ? " neg" : "")}, [fmt(r[5])]), el("td", {"class": "n"}, [fmt(r[6])]),
        el("td", {"class": "code", title: r[8]}, [r[8]])]));
    });
    tbody.appendChild(frag);
    count.textContent = "showing " + fmt(Math.min(state.limit, shown.length)) + " of " + fmt(shown.length) +
      " lines (" + fmt(rows.length) + " in all), sorted by " + cols[ci][0] + (dir < 0 ? " (largest first)" : "");
    more.style.display = shown.length > state.limit ? "" : "none";
  }
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      state.q = input.value.toLowerCase();
      state.limit = 200;
      draw();
      history.replaceState(null, "", "#q=" + encodeURIComponent(input.value) + "&sort=" +
        encodeURIComponent(cols[state.col][0]) + "&dir=" + (state.dir < 0 ? "desc" : "asc"));
    }, 120);
  });
  draw();

  /* copies by op */
  var sOps = section("Copies by op (then every other op)", "ops");
  var ops = D.ops.slice().sort(function (a, b) { return (b.kind === "copy") - (a.kind === "copy") || b.bytes - a.bytes; });
  var omax = Math.max.apply(null, ops.map(function (o) { return o.bytes; }).concat([1]));
  var ot = el("table", {id: "ops-table"}, [el("tr", null, [el("th", null, ["op"]), el("th", null, ["kind"]),
    el("th", {"class": "n"}, ["arrays"]), el("th", {"class": "n"}, ["bytes"]), el("th", null, [""])])]);
  ops.forEach(function (o) {
    ot.appendChild(el("tr", {"class": o.kind === "copy" ? "copy" : ""}, [el("td", null, [o.op]), el("td", null, [o.kind]),
      el("td", {"class": "n"}, [fmt(o.arrays)]), el("td", {"class": "n"}, [fmt(o.bytes)]),
      el("td", null, [el("span", {"class": "bar", style: "width:" + Math.max(1, Math.round(300 * o.bytes / omax)) + "px"}, [])])]));
  });
  sOps.appendChild(ot);

  /* pinned bases */
  var sPins = section("Pinned bases: views that keep a much larger base alive", "pins");
  function pinTable(pins, id) {
    var pt = el("table", {id: id}, [el("tr", null, [el("th", null, ["view"]), el("th", null, ["view made at"]),
      el("th", null, ["held by"]), el("th", {"class": "n"}, ["base bytes"]), el("th", null, ["base"]),
      el("th", null, ["base made at"]), el("th", {"class": "n"}, ["% used"])])]);
    pins.forEach(function (p) {
      var pct = p.base_bytes ? 100 * p.used_bytes / p.base_bytes : 0;
      p.views.forEach(function (v, j) {
        pt.appendChild(el("tr", null, [el("td", null, [shape(v.shape, v.dtype) + " " + human(v.bytes)]),
          el("td", null, [v.line ? loc(v.file, v.line) : "before arrdbg saw it"]), el("td", null, [v.holder]),
          el("td", {"class": "n"}, [j ? "" : fmt(p.base_bytes)]), el("td", null, [j ? "" : shape(p.base_shape, p.base_dtype)]),
          el("td", null, [j ? "" : loc(p.base_file, p.base_line) + " (" + p.base_op + ")"]),
          el("td", {"class": "n"}, [j ? "" : (pct >= 1 || pct === 0 ? pct.toFixed(0) : pct.toPrecision(2)) + "%"])]));
      });
    });
    if (!pins.length) { pt.appendChild(el("tr", null, [el("td", {colspan: "7", "class": "muted"}, ["none"])])); }
    return pt;
  }
  sPins.appendChild(el("h3", null, ["at exit (" + D.pins_at_exit.length + ")"]));
  sPins.appendChild(pinTable(D.pins_at_exit, "pins-exit"));
  if (D.pins_near_peak) {
    sPins.appendChild(el("h3", null, ["near the peak (scan at event " + fmt(D.pins_near_peak.event) + ", " +
      human(D.pins_near_peak.live_bytes) + " live; " + D.pins_near_peak.pins.length + ")"]));
    sPins.appendChild(pinTable(D.pins_near_peak.pins, "pins-peak"));
  }

  /* icicle: bytes live at the peak by Python stack; click a frame to zoom */
  var sFlame = section("Bytes live at the peak, by Python stack (click to zoom, click the top to go back)", "flame");
  if (nLive > live.length) {
    sFlame.appendChild(el("p", {"class": "muted"}, ["The " + fmt(live.length) + " largest of the " + fmt(nLive) +
      " buffers live at the peak (" + human(D.flame.v) + " of " + human(D.peak.bytes) + ")."]));
  }
  var fl = el("div", {"class": "flame", id: "flame-graph"}, []);
  sFlame.appendChild(fl);
  function depth(n) { return 1 + Math.max.apply(null, [0].concat(n.c.map(depth))); }
  function colour(name) {
    var h = 0;
    for (var i = 0; i < name.length; i++) { h = (h * 31 + name.charCodeAt(i)) % 360; }
    return "hsl(" + (h % 50 + 5) + ",75%," + (62 + h % 15) + "%)";
  }
  function drawFlame(focus) {
    fl.textContent = "";
    fl.style.height = (20 * depth(focus) + 2) + "px";
    var width = fl.clientWidth || 1000;
    (function put(n, x, w, level) {
      if (w < 0.5) { return; }
      var box = el("div", {"class": "frame", title: n.n + ": " + fmt(n.v) + " bytes (" + human(n.v) + ")"}, [n.n + " " + human(n.v)]);
      box.style.left = x + "px"; box.style.width = w + "px"; box.style.top = (20 * level) + "px";
      box.style.background = colour(n.n);
      box.addEventListener("click", function () { drawFlame(n === focus ? D.flame : n); });
      fl.appendChild(box);
      var cx = x;
      n.c.forEach(function (c) { var cw = n.v ? w * c.v / n.v : 0; put(c, cx, cw, level + 1); cx += cw; });
    })(focus, 0, width, 0);
  }
  drawFlame(D.flame);

  document.body.setAttribute("data-arrdbg-ready", "1");
  document.body.setAttribute("data-arrdbg-errors", String(errors.length));
})();
