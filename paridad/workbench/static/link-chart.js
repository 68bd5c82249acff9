/* Paridad workbench: the link chart. Draws an entity's network with Cytoscape.js (served by the
   node from /static/vendor/), one hop per double-click, through the node's own
   /entity/{id}/links.json, which applies need-to-know. Every text shown comes translated from
   the page (#chart-texts). */
(function () {
  "use strict";
  var box = document.getElementById("chart");
  if (!box || typeof cytoscape === "undefined") { return; }
  // cytoscape-svg registers itself with the global cytoscape when it loads.
  var texts = JSON.parse(document.getElementById("chart-texts").textContent);
  var statusLine = document.getElementById("chart-status");
  var center = box.dataset.center;
  var expanded = {};
  var withheld = 0;
  var kinds = {};

  function say(text, link) {
    statusLine.textContent = text;
    if (link) {
      var a = document.createElement("a");
      a.href = link;
      a.id = "chart-open";
      a.textContent = " " + texts["Open the entity page"];
      statusLine.appendChild(a);
    }
  }

  var cy = cytoscape({
    container: box,
    style: [
      { selector: "node", style: {
        "label": "data(caption)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 4,
        "background-color": "#0b5c7a", "width": 22, "height": 22, "color": "#1b1f24",
        "text-wrap": "ellipsis", "text-max-width": 140 } },
      { selector: "node.partner", style: {
        "background-color": "#fde9d3", "border-color": "#7a3d0b", "border-width": 4 } },
      { selector: "node.center", style: { "width": 34, "height": 34, "font-weight": "bold" } },
      { selector: "node.pinned", style: { "shape": "round-rectangle" } },
      { selector: "node:selected", style: { "overlay-opacity": 0.2, "overlay-color": "#0b5c7a" } },
      { selector: "edge", style: {
        "label": "data(label)", "font-size": 9, "color": "#5b6470", "curve-style": "bezier",
        "target-arrow-shape": "triangle", "line-color": "#9aa4af", "target-arrow-color": "#9aa4af",
        "text-rotation": "autorotate", "text-background-color": "#fff",
        "text-background-opacity": 0.8 } },
      { selector: ".hidden", style: { "display": "none" } }
    ]
  });

  box.cytoscape = cy;  // the chart's instance, for scripts (and tests) that drive the page

  function relayout() {
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: 9000,
                idealEdgeLength: 90, fit: true, padding: 30 }).run();
  }

  function addKind(kind, label) {
    if (kinds[kind]) { return; }
    kinds[kind] = true;
    var label_ = document.createElement("label");
    var box_ = document.createElement("input");
    box_.type = "checkbox";
    box_.checked = true;
    box_.value = kind;
    box_.dataset.kind = kind;
    box_.addEventListener("change", applyFilters);
    label_.appendChild(box_);
    label_.appendChild(document.createTextNode(" " + label));
    document.getElementById("relationships").appendChild(label_);
  }

  function applyFilters() {
    var shown = {};
    document.querySelectorAll("#relationships input").forEach(function (input) {
      shown[input.dataset.kind] = input.checked;
    });
    var from = document.getElementById("date-from").value;
    var to = document.getElementById("date-to").value;
    cy.batch(function () {
      cy.edges().forEach(function (edge) {
        var start = edge.data("start"), end = edge.data("end") || start;
        var inWindow = !start || ((!from || end >= from) && (!to || start.slice(0, to.length) <= to));
        edge.toggleClass("hidden", !(shown[edge.data("kind")] !== false && inWindow));
      });
      cy.nodes().forEach(function (node) {
        var lonely = node.id() !== center && !node.hasClass("pinned") &&
          node.connectedEdges().filter(function (e) { return !e.hasClass("hidden"); }).length === 0;
        node.toggleClass("hidden", lonely);
      });
    });
  }

  function expand(id) {
    if (expanded[id]) { return; }
    fetch("/entity/" + encodeURIComponent(id) + "/links.json", { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        expanded[id] = true;
        withheld += data.withheld;
        var added = cy.collection();
        data.nodes.forEach(function (n) {
          if (cy.getElementById(n.id).length) { return; }
          var node = cy.add({ group: "nodes", data: n });
          if (n.partner) { node.addClass("partner"); }
          if (n.id === center) { node.addClass("center"); }
          added = added.union(node);
        });
        data.edges.forEach(function (e) {
          if (cy.getElementById(e.id).length) { return; }
          cy.add({ group: "edges", data: e });
          addKind(e.kind, e.label);
        });
        var origin = cy.getElementById(id);
        if (origin.length) {
          added.positions(function () {
            var p = origin.position();
            return { x: p.x + (Math.random() - 0.5) * 80, y: p.y + (Math.random() - 0.5) * 80 };
          });
        }
        applyFilters();
        relayout();
        box.dataset.nodes = String(cy.nodes().length);
        box.dataset.edges = String(cy.edges().length);
        var message = cy.edges().length ? texts["Double-click an entity to expand its links."]
                                        : texts["No links to show."];
        if (withheld) {
          message += " " + texts["{count} links withheld (outside your need-to-know)."]
            .replace("{count}", String(withheld));
        }
        say(message);
      })
      .catch(function (error) {
        say(texts["Could not load the links: {status}."].replace("{status}", error.message));
      });
  }

  cy.on("dbltap", "node", function (event) { expand(event.target.id()); });
  cy.on("tap", "node", function (event) {
    var n = event.target.data();
    say(n.caption + " · " + n.schema_label + " · " + n.handling + " · " + n.origin_country,
        "/entity/" + encodeURIComponent(n.id));
  });

  document.getElementById("pin").addEventListener("click", function () {
    cy.nodes(":selected").forEach(function (node) { node.lock(); node.addClass("pinned"); });
  });
  document.getElementById("unpin").addEventListener("click", function () {
    cy.nodes().forEach(function (node) { node.unlock(); node.removeClass("pinned"); });
    applyFilters();
  });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(undefined, 30); });
  document.getElementById("date-from").addEventListener("change", applyFilters);
  document.getElementById("date-to").addEventListener("change", applyFilters);

  function download(name, url) {
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  var stem = "paridad-chart-" + center.replace(/[^A-Za-z0-9_.-]/g, "_");
  document.getElementById("export-png").addEventListener("click", function () {
    download(stem + ".png", cy.png({ full: true, bg: "#ffffff", scale: 2 }));
  });
  document.getElementById("export-svg").addEventListener("click", function () {
    var svg = cy.svg({ full: true, bg: "#ffffff" });
    download(stem + ".svg", URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" })));
  });

  expand(center);
}());
