/* Paridad workbench: the border map. Leaflet (served by the node from /static/vendor/) draws
   public-domain outlines the node also serves (Census states, Natural Earth countries), the
   two boundary lines and the ports of entry, then the node's recoveries, corridors and drone
   alerts from /map/layers.json, which applies need-to-know. No tile server, no CDN. */
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined" || typeof topojson === "undefined") { return; }
  var texts = JSON.parse(document.getElementById("map-texts").textContent);
  var statusLine = document.getElementById("map-status");
  var map = L.map(box, { preferCanvas: true, zoomSnap: 0.25, minZoom: 3, maxZoom: 14 })
    .setView([29.6, -106.5], 5.25);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("US Census · Natural Earth");
  var layers = {};
  var stateCenters = {};

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function popup(lines, id) {
    var div = document.createElement("div");
    lines.forEach(function (line, i) {
      if (!line) { return; }
      var p = document.createElement(i === 0 ? "strong" : "div");
      p.textContent = line;
      div.appendChild(p);
    });
    if (id) {
      var a = document.createElement("a");
      a.href = "/entity/" + encodeURIComponent(id);
      a.textContent = texts["Open the entity page"];
      div.appendChild(a);
    }
    return div;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error(url + " " + response.status); }
      return response.json();
    });
  }

  function toggle(name, on) {
    if (!layers[name]) { return; }
    if (on) { layers[name].addTo(map); } else { map.removeLayer(layers[name]); }
  }
  document.querySelectorAll("#map-layers input").forEach(function (input) {
    input.addEventListener("change", function () { toggle(input.dataset.layer, input.checked); });
  });
  function register(name, layer) {
    layers[name] = layer;
    var input = document.querySelector('#map-layers input[data-layer="' + name + '"]');
    if (!input || input.checked) { layer.addTo(map); }
  }

  var base = Promise.all([
    getJSON("/static/vendor/countries-50m.json"),
    getJSON("/static/vendor/us-states-10m.json")
  ]).then(function (topos) {
    var countries = topojson.feature(topos[0], topos[0].objects.countries);
    L.geoJSON(countries, {
      interactive: false,
      filter: function (f) { return f.id === "484" || f.id === "840"; },
      style: { color: "#8a94a0", weight: 1, fillColor: "#ffffff", fillOpacity: 1 }
    }).addTo(map);
    var states = topojson.feature(topos[1], topos[1].objects.states);
    L.geoJSON(states, {
      interactive: false,
      style: { color: "#c3cad2", weight: 0.8, fill: false },
      onEachFeature: function (feature, layer) {
        stateCenters[feature.properties.name] = layer.getBounds().getCenter();
      }
    }).addTo(map);
  });

  // Drawn in order, so that the outlines lie under the lines and the lines under the data.
  var border = base.then(function () { return getJSON("/map/border.json"); }).then(function (data) {
    var lines = { "census": [], "natural-earth": [] };
    var ports = [];
    data.features.forEach(function (f) {
      if (f.properties.layer === "boundary") { (lines[f.properties.source] || []).push(f); }
      if (f.properties.layer === "port") { ports.push(f); }
    });
    register("census", L.geoJSON(lines.census, { style: { color: "#9b1c1c", weight: 2.5 } }));
    register("natural-earth", L.geoJSON(lines["natural-earth"],
      { style: { color: "#0b5c7a", weight: 1.5, dashArray: "4 4" } }));
    register("ports", L.geoJSON(ports, {
      pointToLayer: function (f, at) {
        return L.circleMarker(at, { radius: 4, color: "#1b1f24", weight: 1, fillColor: "#ffd166",
                                    fillOpacity: 1 });
      },
      onEachFeature: function (f, layer) {
        layer.bindPopup(popup([texts["Port of entry"], f.properties.name, f.properties.name_es]));
      }
    }));
  });

  border.then(function () { return getJSON("/map/layers.json"); })
    .then(function (data) {
      register("recoveries", L.geoJSON(data.recoveries, {
        pointToLayer: function (f, at) {
          return L.circleMarker(at, {
            radius: 4, weight: f.properties.partner ? 2 : 0.5,
            color: f.properties.partner ? "#7a3d0b" : "#0b5c7a",
            fillColor: f.properties.partner ? "#fde9d3" : "#0b5c7a", fillOpacity: 0.7 });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(popup([texts["Recovered firearm"], p.caption, p.date,
                                 [p.municipality, p.state].filter(Boolean).join(", ")], p.id));
        }
      }));
      var corridors = L.layerGroup();
      var most = data.corridors.reduce(function (m, c) { return Math.max(m, c.traces); }, 1);
      data.corridors.forEach(function (c) {
        var from = stateCenters[c.source_name];
        if (!from) { return; }
        L.polyline([from, c.to], { color: "#6a4c93", opacity: 0.75,
                                   weight: 1 + 7 * c.traces / most })
          .bindTooltip(fmt(texts["{count} traced guns from {source} to {destination}"],
                           { count: c.traces, source: c.source_name, destination: c.destination }))
          .addTo(corridors);
      });
      register("corridors", corridors);
      register("alerts", L.geoJSON(data.alerts, {
        style: function () { return { color: "#d1495b", weight: 2, opacity: 0.8 }; },
        pointToLayer: function (f, at) {
          return L.circleMarker(at, { radius: 5, color: "#d1495b", weight: 1.5,
                                      fillColor: "#ffffff", fillOpacity: 1 });
        },
        onEachFeature: function (f, layer) {
          var p = f.properties;
          layer.bindPopup(popup([texts["Drone alert"], p.kind, p.date, p.direction, p.port],
                                p.id));
        }
      }));
      var alerts = data.alerts.features.filter(function (f) { return !f.properties.track; });
      box.dataset.recoveries = String(data.recoveries.features.length);
      box.dataset.corridors = String(corridors.getLayers().length);
      box.dataset.alerts = String(alerts.length);
      statusLine.textContent = fmt(
        texts["{recoveries} recoveries, {corridors} corridors, {alerts} drone alerts shown."],
        { recoveries: data.recoveries.features.length, corridors: corridors.getLayers().length,
          alerts: alerts.length });
      box.dataset.ready = "true";
    })
    .catch(function (error) {
      statusLine.textContent = fmt(texts["Could not load the map's data: {status}."],
                                   { status: error.message });
    });
}());
