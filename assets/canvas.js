/* The design canvas on whatever shows it: scaled to a window (fit / width / stretch), one part
   of it on a video-wall display (wall=CxR&tile=n, 1:1 when the display matches), or reflowed
   into readable columns on a tablet (layout=tablet, or a window the scaled canvas would shrink
   below CANVAS_MIN_SCALE). */
(function () {
  "use strict";

  /* Below 0.7 of its design size the canvas's small print gets too small to read at arm's
     length: a landscape tablet (1366×1024: 0.71) keeps the canvas, a portrait one (1024×1366:
     0.53) or a small laptop (1280×800: 0.67) reflows. docs/screens.md says the same. */
  var CANVAS_MIN_SCALE = 0.7;

  function canvasScale(canvas, fit) {
    var w = +canvas.getAttribute("data-width"), h = +canvas.getAttribute("data-height");
    var sx = window.innerWidth / w, sy = window.innerHeight / h;
    return fit === "width" ? sx : Math.min(sx, sy);
  }

  function isTablet(root, canvas) {
    var layout = root.getAttribute("data-layout") || "auto";
    if (layout === "tablet") { return true; }
    if (layout === "canvas" || root.getAttribute("data-kiosk")) { return false; }
    return canvasScale(canvas, root.getAttribute("data-fit") || "fit") < CANVAS_MIN_SCALE;
  }

  function place() {
    var root = document.querySelector(".gw-screen");
    var canvas = root && root.querySelector(".gw-canvas");
    if (!canvas) { return; }
    var tablet = isTablet(root, canvas);
    /* Maps are fitted again by assets/map.js when their boxes change size. */
    root.classList.toggle("is-tablet", tablet);
    if (tablet) {
      canvas.style.transform = "";
      root.classList.add("is-scaled");
      return;
    }
    var w = +canvas.getAttribute("data-width"), h = +canvas.getAttribute("data-height");
    var vw = window.innerWidth, vh = window.innerHeight;
    var fit = root.getAttribute("data-fit") || "fit";
    var wall = (root.getAttribute("data-wall") || "").split("x");
    var sx, sy, tx = 0, ty = 0;
    if (wall.length === 2) {
      /* This display shows one part; the parts together are exactly the canvas. */
      var columns = +wall[0], rows = +wall[1];
      var n = +root.getAttribute("data-wall-tile") - 1;
      var partW = w / columns, partH = h / rows;
      sx = vw / partW; sy = vh / partH;
      if (fit !== "stretch") { sx = sy = Math.min(sx, sy); }
      tx = -(n % columns) * partW * sx;
      ty = -Math.floor(n / columns) * partH * sy;
    } else {
      sx = vw / w; sy = vh / h;
      if (fit === "fit") {
        sx = sy = Math.min(sx, sy);
        tx = (vw - w * sx) / 2; ty = (vh - h * sy) / 2;
      } else if (fit === "width") {
        sy = sx;
      }
    }
    canvas.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + sx + "," + sy + ")";
    root.style.height = fit === "width" && wall.length !== 2 ? (h * sy) + "px" : "";
    root.classList.add("is-scaled");
  }

  document.addEventListener("greenwall:mounted", place);
  window.addEventListener("resize", place);
  window.greenwall = Object.assign({}, window.greenwall, { place: place });
})();
