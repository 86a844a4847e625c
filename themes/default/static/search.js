// Search over the static index that `briefing build` writes under search/: fetches the
// shards of the query's words and the result lines it shows, nothing else.
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root) return;
  var base = root.getAttribute("data-index");
  var form = document.getElementById("search-form");
  var statusEl = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var STOP = new Set(["a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with"]);
  var cache = new Map();
  var meta = null;
  var PAGE = 20;
  var current = null;
  // Interface text, in the site's language, from the page (data-t-*).
  function t(key, n) { return (root.getAttribute("data-t-" + key) || key).replace("{n}", n); }
  function statusLabel(s) { return root.getAttribute("data-status-" + s) || s; }

  function json(path) {
    if (!cache.has(path)) {
      cache.set(path, fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      }));
    }
    return cache.get(path);
  }

  // Chinese, Japanese and Korean characters: the index holds their pairs, not words.
  var CJK = /^(?:[\u1100-\u11FF\u3040-\u30FF\u31F0-\u31FF\u3400-\u4DBF\u4E00-\u9FFF\uAC00-\uD7AF\uF900-\uFAFF\uFF66-\uFF9F]|[\uD840-\uD87E][\uDC00-\uDFFF])$/;

  // The same normalisation as the index: accents dropped, lowercase, ASCII words; and the
  // pairs of neighbouring CJK characters (a lone one stands for itself).
  function words(text) {
    var out = [], run = [], rest = "";
    function latin() {
      rest.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().split(/[^a-z0-9]+/)
        .forEach(function (w) { if (w.length >= 2 && !STOP.has(w)) out.push(w); });
      rest = "";
    }
    function cjk() {
      if (run.length === 1) out.push(run[0]);
      for (var i = 0; i + 1 < run.length; i++) out.push(run[i] + run[i + 1]);
      run = [];
    }
    Array.from(text).forEach(function (c) {
      if (CJK.test(c)) { latin(); run.push(c); } else { cjk(); rest += c; }
    });
    latin(); cjk();
    return out;
  }

  function decode(gaps) {
    var out = [], id = 0;
    for (var i = 0; i < gaps.length; i++) { id += gaps[i]; out.push(id); }
    return out;
  }

  // The shard a word lives in: the longest shard key that starts the word.
  function shardOf(word) {
    var best = "";
    meta.shards.forEach(function (k) { if (k.length > best.length && word.lastIndexOf(k, 0) === 0) best = k; });
    return best;
  }

  // Ids (newest first) of the briefs containing the word; the last word of a query (three
  // letters or more) also matches longer words that start with it, so results come while
  // typing. Such a prefix may span several shards.
  function idsFor(word, prefix) {
    prefix = prefix && word.length >= 3;
    var keys = prefix
      ? meta.shards.filter(function (k) { return k.lastIndexOf(word, 0) === 0 || word.lastIndexOf(k, 0) === 0; })
      : [shardOf(word)].filter(Boolean);
    if (prefix && keys.length > 1) {
      // Several shards start with the word: only those, not the shorter one they split from.
      keys = keys.filter(function (k) { return k.length >= Math.min(word.length, 3); });
    }
    return Promise.all(keys.map(function (k) { return json("t/" + k + ".json"); })).then(function (shards) {
      var seen = new Set();
      shards.forEach(function (shard) {
        Object.keys(shard).forEach(function (t) {
          if (prefix ? t.lastIndexOf(word, 0) === 0 : t === word) decode(shard[t]).forEach(function (i) { seen.add(i); });
        });
      });
      return Array.from(seen).sort(function (a, b) { return a - b; });
    });
  }

  function intersect(lists) {
    if (!lists.length) return [];
    return lists.reduce(function (acc, l) {
      var s = new Set(l);
      return acc.filter(function (i) { return s.has(i); });
    });
  }

  function doc(id) {
    var n = Math.floor(id / meta.chunk);
    return json("d/" + n + ".json").then(function (chunk) { return chunk[id - n * meta.chunk]; });
  }

  function matches(d, f) {
    if (f.company !== "" && d[5].indexOf(+f.company) < 0) return false;
    if (f.source !== "" && d[6].indexOf(+f.source) < 0) return false;
    if (f.status && d[3] !== f.status) return false;
    if (f.year && d[2].slice(0, 4) !== f.year) return false;
    if (f.person !== "" && (d[7] || []).indexOf(+f.person) < 0) return false;
    if (f.product !== "" && (d[8] || []).indexOf(+f.product) < 0) return false;
    return true;
  }

  function show(d) {
    var li = document.createElement("li");
    li.className = "search-result";
    var p = document.createElement("p");
    p.className = "meta";
    var time = document.createElement("time");
    time.dateTime = d[2];
    time.textContent = d[2];
    p.appendChild(time);
    if (d[3]) {
      var badge = document.createElement("span");
      badge.className = "status status-" + d[3];
      badge.textContent = statusLabel(d[3]);
      p.appendChild(document.createTextNode(" "));
      p.appendChild(badge);
    }
    var a = document.createElement("a");
    a.href = d[1];
    a.textContent = d[0];
    var h = document.createElement("h2");
    h.appendChild(a);
    var s = document.createElement("p");
    s.className = "summary";
    s.textContent = d[4];
    li.appendChild(p);
    li.appendChild(h);
    li.appendChild(s);
    list.appendChild(li);
  }

  // Walks the candidates newest first, fetching result lines chunk by chunk, until a page
  // of results passes the filters.
  function page() {
    var run = current;
    var shown = 0;
    function step() {
      if (run !== current) return Promise.resolve();
      if (run.next >= run.ids.length || shown >= PAGE) {
        more.hidden = run.next >= run.ids.length;
        var count = run.found + (run.next < run.ids.length ? "+" : "");
        statusEl.textContent = run.found === 0 ? t("none") : t(run.found === 1 ? "one" : "many", count);
        return Promise.resolve();
      }
      var id = run.ids[run.next++];
      return doc(id).then(function (d) {
        if (run === current && d && matches(d, run.filters)) { show(d); shown++; run.found++; }
        return step();
      });
    }
    return step();
  }

  function search() {
    var data = new FormData(form);
    var q = String(data.get("q") || "");
    var filters = { company: String(data.get("company") || ""), source: String(data.get("source") || ""),
      status: String(data.get("status") || ""), year: String(data.get("year") || ""),
      person: String(data.get("person") || ""), product: String(data.get("product") || "") };
    var params = new URLSearchParams();
    if (q) params.set("q", q);
    Object.keys(filters).forEach(function (k) { if (filters[k]) params.set(k, filters[k]); });
    history.replaceState(null, "", "?" + params.toString());
    list.textContent = "";
    more.hidden = true;
    var ws = words(q);
    var any = filters.company !== "" || filters.source !== "" || filters.status || filters.year ||
      filters.person !== "" || filters.product !== "";
    if (!ws.length && !any) { statusEl.textContent = ""; current = null; return Promise.resolve(); }
    statusEl.textContent = t("searching");
    var candidates = ws.length
      ? Promise.all(ws.map(function (w, i) { return idsFor(w, i === ws.length - 1); })).then(intersect)
      : Promise.resolve(Array.from({ length: meta.n }, function (_, i) { return i; }));
    return candidates.then(function (ids) {
      current = { ids: ids, next: 0, found: 0, filters: filters };
      return page();
    });
  }

  function fill(id, values, label, selected) {
    var select = document.getElementById(id);
    if (!select) return;
    values.forEach(function (v) {
      var o = document.createElement("option");
      o.value = v[0];
      o.textContent = v[1];
      select.appendChild(o);
    });
    select.value = selected || "";
  }

  json("meta.json").then(function (m) {
    meta = m;
    var params = new URLSearchParams(location.search);
    fill("f-company", m.companies.map(function (c, i) { return [String(i), c[1]]; }), "company", params.get("company"));
    fill("f-source", m.sources.map(function (s, i) { return [String(i), s[1]]; }), "source", params.get("source"));
    fill("f-status", m.statuses.map(function (s) { return [s, statusLabel(s)]; }), "status", params.get("status"));
    fill("f-year", m.years.map(function (y) { return [String(y), String(y)]; }), "year", params.get("year"));
    fill("f-person", (m.people || []).map(function (p, i) { return [String(i), p[1]]; }), "person", params.get("person"));
    fill("f-product", (m.products || []).map(function (p, i) { return [String(i), p[1]]; }), "product", params.get("product"));
    document.getElementById("q").value = params.get("q") || "";
    var timer = null;
    form.addEventListener("submit", function (e) { e.preventDefault(); search(); });
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
    form.addEventListener("change", function () { search(); });
    more.addEventListener("click", function () { page(); });
    search();
  }).catch(function (e) { statusEl.textContent = t("unavailable") + " " + e.message; });
})();
