// Leaflet maps of the pages: places (depot, farms, kitchens) with their stop numbers and
// names, routes as coloured lines, purchases as lines weighted by value. Tiles are drawn
// when a tile URL is configured and reachable; offline the map keeps its labelled stops.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }

  function icon(stop) {
    var numbers = (stop.numbers || []).join("·");
    return L.divIcon({
      className: "",
      html: '<span class="pin ' + stop.kind + (numbers ? " numbered" : "") + '">' + numbers + "</span>",
      iconSize: null,
      iconAnchor: [11, 11]
    });
  }

  function draw(el) {
    var data = JSON.parse(document.getElementById(el.getAttribute("data-map")).textContent);
    var map = L.map(el, { scrollWheelZoom: false, keyboard: true });
    var tiles = el.getAttribute("data-tiles");
    if (tiles) {
      var layer = L.tileLayer(tiles, {
        maxZoom: 17,
        attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
      });
      var warned = false;
      layer.on("tileerror", function () {
        if (warned) { return; }
        warned = true;
        var note = el.parentNode.querySelector("[data-offline-note]");
        if (note) { note.hidden = false; }
      });
      layer.addTo(map);
    } else {
      var note = el.parentNode.querySelector("[data-offline-note]");
      if (note) { note.hidden = false; }
    }
    var points = [];
    (data.links || []).forEach(function (ln) {
      var w = Math.max(1.5, Math.min(8, Math.sqrt(ln.eur) / 4));
      L.polyline([ln.from, ln.to], { color: "#7a4b00", weight: w, opacity: 0.55 }).addTo(map);
    });
    (data.routes || []).forEach(function (r) {
      if (r.coords.length) {
        L.polyline(r.coords, { color: r.colour, weight: 4, opacity: 0.85 }).addTo(map)
          .bindTooltip(r.label, { sticky: true });
        points = points.concat(r.coords);
      }
    });
    var permanent = (data.stops || []).length <= 40;
    var markers = 0;
    (data.stops || []).forEach(function (s) {
      var title = s.name + ((s.numbers && s.numbers.length) ? " — " + s.numbers.join(", ") : "");
      var m = L.marker([s.lat, s.lon], { icon: icon(s), title: title, alt: title, keyboard: true })
        .addTo(map).bindPopup(title);
      if (s.label) {
        m.bindTooltip(s.label, { permanent: permanent, direction: "right", offset: [12, 0], className: "place" });
      }
      points.push([s.lat, s.lon]);
      markers += 1;
    });
    if (points.length) {
      map.fitBounds(L.latLngBounds(points), {
        paddingTopLeft: [40, 40], paddingBottomRight: [170, 30], maxZoom: 13
      });
    } else {
      map.setView([44.3, 5.8], 9);
    }
    L.control.scale({ imperial: false }).addTo(map);
    el.setAttribute("data-markers", String(markers));
  }

  document.querySelectorAll("[data-map]").forEach(draw);
})();
