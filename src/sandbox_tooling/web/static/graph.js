// The package page's dependency graph: cytoscape with the dagre layered layout. Large graphs
// (over the server's threshold) start collapsed: one node per type with its count; clicking a
// type expands it. window.sbxGraph exposes the instance and the last layout's timing.
(function () {
  "use strict";
  const MAX_LABEL = 28;
  const short = (s) => (s.length > MAX_LABEL ? s.slice(0, MAX_LABEL - 1) + "…" : s);

  function start() {
    const box = document.getElementById("graph");
    if (!box || typeof cytoscape === "undefined") return;
    const info = document.getElementById("graph-info");
    fetch(box.dataset.url, { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => draw(box, info, data))
      .catch(() => { /* the page is being left or reloaded */ });
  }

  function draw(box, info, data) {
    const t0 = performance.now();
    const expanded = new Set();
    const collapsed = data.collapse;
    if (!collapsed) Object.keys(data.types).forEach((t) => expanded.add(t));
    const typeOf = data.nodes.map((n) => n.type);
    const uses = new Array(data.nodes.length).fill(0);
    const needs = new Array(data.nodes.length).fill(0);
    data.edges.forEach(([a, b]) => { needs[a] += 1; uses[b] += 1; });

    function elements() {
      const els = [];
      const rep = (i) => (expanded.has(typeOf[i]) ? "n" + i : "t:" + typeOf[i]);
      Object.entries(data.types).forEach(([t, meta]) => {
        if (!expanded.has(t)) {
          els.push({ data: { id: "t:" + t, label: `${meta.label} (${meta.count})`, color: meta.color, kind: "type", type: t }, classes: "type" });
        }
      });
      data.nodes.forEach((n) => {
        if (expanded.has(n.type)) {
          els.push({ data: { id: "n" + n.i, label: short(n.label), color: data.types[n.type].color, kind: "object", i: n.i }, classes: n.root ? "root" : "" });
        }
      });
      const seen = new Map();
      (data.typeEdges || []).forEach(([a, b, n]) => seen.set("t:" + a + ">t:" + b, n));
      data.edges.forEach(([a, b]) => {
        const s = rep(a), t = rep(b);
        if (s === t) return;
        const key = s + ">" + t;
        seen.set(key, (seen.get(key) || 0) + 1);
      });
      seen.forEach((n, key) => {
        const [s, t] = key.split(">");
        els.push({ data: { id: "e:" + key, source: s, target: t, weight: n } });
      });
      return els;
    }

    const big = data.nodes.length > 300 || data.typesOnly;
    const cy = cytoscape({
      container: box,
      elements: elements(),
      minZoom: 0.05,
      maxZoom: 3,
      style: [
        { selector: "node", style: {
          "background-color": "data(color)", label: "data(label)", "font-size": 10, color: "#1f2933",
          "text-valign": "bottom", "text-margin-y": 3, width: 16, height: 16, "min-zoomed-font-size": 7 } },
        { selector: "node.root", style: { "border-width": 3, "border-color": "#111827", width: 22, height: 22 } },
        { selector: "node.type", style: { shape: "round-rectangle", width: 40, height: 40, "font-size": 12, "font-weight": 600 } },
        { selector: "node:selected", style: { "border-width": 4, "border-color": "#f59e0b" } },
        { selector: "edge", style: {
          width: 1, "line-color": "#cbd5e1", "target-arrow-color": "#94a3b8", "target-arrow-shape": "triangle",
          "arrow-scale": 0.7, "curve-style": big ? "straight" : "bezier" } },
      ],
    });
    const timing = { nodes: data.nodes.length, edges: data.edges.length, drawn: 0, layoutMs: 0, totalMs: 0 };

    function layout() {
      const l0 = performance.now();
      return new Promise((resolve) => {
        const many = cy.nodes().length > 60;
        const l = cy.layout({ name: "dagre", rankDir: "LR", nodeSep: many ? 10 : 28, rankSep: many ? 60 : 110, edgeSep: 6, animate: false, fit: true, padding: 24 });
        l.one("layoutstop", () => {
          if (cy.zoom() > 1.5) { cy.zoom(1.5); cy.center(); }
          requestAnimationFrame(() => {
            timing.layoutMs = performance.now() - l0;
            timing.drawn = cy.nodes().length;
            timing.totalMs = performance.now() - t0;
            box.dataset.drawn = String(timing.drawn);
            resolve(timing);
          });
        });
        l.run();
      });
    }

    function refresh() {
      cy.batch(() => { cy.elements().remove(); cy.add(elements()); });
      return layout();
    }

    function describe(node) {
      if (node.data("kind") === "type") {
        const t = node.data("type");
        info.innerHTML = "";
        const h = document.createElement("h3"); h.textContent = data.types[t].label;
        const p = document.createElement("p"); p.textContent = `${data.types[t].count} objects, collapsed. Expanded.`;
        info.append(h, p);
        return;
      }
      const n = data.nodes[node.data("i")];
      info.innerHTML = "";
      const h = document.createElement("h3"); h.textContent = n.label;
      const dl = document.createElement("dl");
      const add = (k, v) => { const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v; dl.append(dt, dd); };
      add("Type", data.types[n.type].label);
      add("Id", n.id);
      add("Needs", `${needs[n.i]} object(s)`);
      add("Used by", `${uses[n.i]} object(s)`);
      if (n.root) add("Root", "yes");
      info.append(h, dl);
      if (box.dataset.sandbox) {
        const a = document.createElement("a");
        a.href = `${box.dataset.objectUrl}?type=${encodeURIComponent(n.type)}&id=${encodeURIComponent(n.id)}&sandbox=${encodeURIComponent(box.dataset.sandbox)}`;
        a.textContent = "Open the object";
        info.append(a);
      }
    }

    cy.on("tap", "node", (event) => {
      const node = event.target;
      if (node.data("kind") === "type") {
        if (data.typesOnly) {
          info.textContent = `${data.types[node.data("type")].count} objects: too many to draw one by one; the table below lists them.`;
          return;
        }
        expanded.add(node.data("type"));
        describe(node);
        refresh();
      } else {
        describe(node);
      }
    });

    window.sbxGraph = {
      cy, timing,
      expandAll: () => {
        if (!data.typesOnly) Object.keys(data.types).forEach((t) => expanded.add(t));
        return refresh();
      },
      collapseAll: () => { expanded.clear(); return refresh(); },
    };
    window.sbxGraph.ready = layout();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
