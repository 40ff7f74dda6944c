/* The design canvas on whatever shows it: scaled to a window (fit / width / stretch), one part
   of it on a video-wall display (wall=CxR&tile=n, 1:1 when the display matches), or reflowed
   into readable columns on a tablet (below 1400 px wide, or layout=tablet). */
(function () {
  "use strict";

  var TABLET_BELOW_PX = 1400;

  function isTablet(root) {
    var layout = root.getAttribute("data-layout") || "auto";
    if (layout === "tablet") { return true; }
    if (layout === "canvas" || root.getAttribute("data-kiosk")) { return false; }
    return window.innerWidth < TABLET_BELOW_PX;
  }

  function place() {
    var root = document.querySelector(".gw-screen");
    var canvas = root && root.querySelector(".gw-canvas");
    if (!canvas) { return; }
    var tablet = isTablet(root);
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
