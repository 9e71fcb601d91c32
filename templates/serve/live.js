// careerguide serve: keeps open pages up to date. On a page of the web
// edition it reloads the page when the web edition changes and, when the page
// is not inside the preview, shows the build's errors in a banner. On the
// preview page it updates the state, the problems and the PDF's pages.
(function () {
  "use strict";
  var preview = document.documentElement.hasAttribute("data-preview");
  var seen = null;

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function problems(list, status) {
    list.replaceChildren();
    status.errors.forEach(function (line) {
      var item = text("li", "", "error");
      item.append(text("strong", "error: "), text("code", line));
      list.append(item);
    });
    status.warnings.forEach(function (line) {
      var item = text("li", "", "warning");
      item.append(text("strong", "warning: "), text("code", line));
      list.append(item);
    });
    if (status.errors.length) {
      list.prepend(text("li", "The last change could not be built: showing the last good preview.", "error"));
    }
  }

  function pages(status) {
    var box = document.getElementById("pages");
    if (!status.pdf_pages) return;
    var images = box.querySelectorAll("img");
    if (images.length !== status.pdf_pages) {
      box.replaceChildren();
      for (var i = 0; i < status.pdf_pages; i++) {
        var image = document.createElement("img");
        image.alt = "Page " + (i + 1) + " of " + status.pdf_pages;
        image.loading = "lazy";
        box.append(image);
      }
      images = box.querySelectorAll("img");
    }
    images.forEach(function (image, i) { image.src = "/pdf/" + status.pdf_version + "/" + i + ".png"; });
  }

  function showPreview(status) {
    var web = document.getElementById("web-state");
    web.textContent = status.web_errors.length
      ? "Web edition: the last change failed" + (status.web_version ? ", showing the last good one" : "")
      : status.web_version
        ? "Web edition: updated " + status.web_at + " (" + status.web_seconds.toFixed(2) + " s)"
        : "Web edition: not made yet";
    web.className = status.web_errors.length ? "failed" : "";
    var pdf = document.getElementById("pdf-state");
    pdf.textContent = status.pdf_building
      ? "Guide PDF: building…"
      : status.pdf_errors.length
        ? "Guide PDF: the last build failed" + (status.pdf_version ? ", showing the last good one" : "")
        : status.pdf_version ? "Guide PDF: updated " + status.pdf_at + " (" + status.pdf_seconds.toFixed(1) + " s)" : "Guide PDF: none yet";
    pdf.className = status.pdf_building ? "building" : status.pdf_errors.length ? "failed" : "";
    problems(document.getElementById("problems"), status);
    if (!seen || seen.pdf_version !== status.pdf_version) pages(status);
    if (seen && seen.web_version !== status.web_version && !frameListens()) {
      document.getElementById("web").contentWindow.location.reload();
    }
  }

  // The web page in the frame reloads itself when it runs this script; reload it from here only if it does not.
  function frameListens() {
    try { return !!document.getElementById("web").contentWindow.careerguideLive; } catch (e) { return false; }
  }

  function showBanner(status) {
    var banner = document.getElementById("careerguide-serve-problems");
    if (!status.errors.length || window.top !== window.self) {
      if (banner) banner.remove();
      return;
    }
    if (!banner) {
      banner = document.createElement("ul");
      banner.id = "careerguide-serve-problems";
      banner.setAttribute("role", "alert");
      banner.style.cssText = "position:fixed;left:0;right:0;bottom:0;margin:0;padding:0.5rem 1rem;list-style:none;" +
        "background:#fde8e8;color:#8a1010;font:14px/1.4 system-ui,sans-serif;z-index:2147483647;max-height:40vh;overflow:auto";
      document.body.append(banner);
    }
    problems(banner, { errors: status.errors, warnings: [] });
  }

  function update(status) {
    if (!preview && seen && seen.web_version !== status.web_version) {
      location.reload();
      return;
    }
    if (preview) showPreview(status); else showBanner(status);
    seen = status;
  }

  window.careerguideLive = true;
  if (preview) {
    document.querySelectorAll(".toolbar button").forEach(function (button) {
      button.addEventListener("click", function () {
        document.querySelectorAll(".toolbar button").forEach(function (other) {
          other.setAttribute("aria-pressed", String(other === button));
        });
        document.getElementById("frame").className = "frame " + button.dataset.width;
        document.querySelector("main").className = button.dataset.width === "wide" ? "wide" : "";
      });
    });
    update(JSON.parse(document.getElementById("initial-status").textContent));
  }
  var source = new EventSource("/__serve/events");
  source.addEventListener("status", function (event) { update(JSON.parse(event.data)); });
})();
