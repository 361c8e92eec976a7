// Document page: hovering or clicking a highlighted entity or metric shows its extracted record
// (the records are embedded in the page as JSON); Escape or a click elsewhere hides it.
(function () {
  "use strict";
  var source = document.getElementById("records");
  var text = document.querySelector(".doc-text");
  if (!source || !text) { return; }
  var records = JSON.parse(source.textContent || "{}");
  var card = document.createElement("div");
  card.className = "record-card";
  card.id = "record-card";
  card.setAttribute("role", "dialog");
  card.hidden = true;
  document.body.appendChild(card);
  var pinned = null;

  var LABELS = {
    metric: ["text", "value", "value_max", "unit", "kind", "before", "approx", "indicator",
      "subject", "action", "level", "region"],
    entity: ["text", "label", "normalized", "code"]
  };

  function show(mark) {
    var kind = mark.getAttribute("data-kind");
    var list = records[kind === "metric" ? "metrics" : "entities"] || [];
    var record = list[Number(mark.getAttribute("data-i"))];
    if (!record) { return; }
    card.textContent = "";
    var title = document.createElement("strong");
    title.textContent = kind === "metric" ? "指标 metric" : "实体 entity · " + record.label;
    card.appendChild(title);
    var table = document.createElement("table");
    LABELS[kind].forEach(function (key) {
      var value = record[key];
      if (value === null || value === undefined || value === "") { return; }
      if (typeof value === "object") { value = value.name + (value.code ? " (" + value.code + ")" : ""); }
      var row = table.insertRow();
      var th = document.createElement("th");
      th.textContent = key;
      row.appendChild(th);
      row.insertCell().textContent = String(value);
    });
    card.appendChild(table);
    var box = mark.getBoundingClientRect();
    card.hidden = false;
    var left = Math.min(window.scrollX + box.left, window.scrollX + document.documentElement.clientWidth - card.offsetWidth - 8);
    card.style.left = Math.max(window.scrollX + 4, left) + "px";
    card.style.top = (window.scrollY + box.bottom + 6) + "px";
  }

  function hide() {
    card.hidden = true;
    if (pinned) { pinned.classList.remove("selected"); }
    pinned = null;
  }

  text.addEventListener("mouseover", function (event) {
    var mark = event.target.closest("mark[data-kind]");
    if (mark && !pinned) { show(mark); }
  });
  text.addEventListener("mouseout", function (event) {
    var mark = event.target.closest("mark[data-kind]");
    if (mark && !pinned) { card.hidden = true; }
  });
  text.addEventListener("click", function (event) {
    var mark = event.target.closest("mark[data-kind]");
    if (!mark) { return; }
    event.stopPropagation();
    if (pinned) { pinned.classList.remove("selected"); }
    pinned = mark;
    mark.classList.add("selected");
    show(mark);
  });
  text.addEventListener("keydown", function (event) {
    var mark = event.target.closest("mark[data-kind]");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      mark.click();
    }
  });
  document.addEventListener("click", function (event) {
    if (!card.contains(event.target)) { hide(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { hide(); }
  });
  // A link to one mention: a comparison bar or quote (?start=…&end=…#m-<start>: the server
  // resolves the offsets and names the mark in data-focus) or a row of the metrics table
  // (#m-<start>). The mark is scrolled to, outlined ("linked") and its record shown.
  var linked = null;
  function focusMention(id) {
    var target = id ? document.getElementById(id) : null;
    if (!target || !text.contains(target) || !target.matches("mark[data-kind=metric]")) {
      return false;
    }
    if (linked) {
      linked.classList.remove("linked");
      linked.removeAttribute("aria-current");
    }
    linked = target;
    target.classList.add("linked");
    target.setAttribute("aria-current", "location");
    target.scrollIntoView({ block: "center" });
    if (pinned) { pinned.classList.remove("selected"); }
    pinned = target;
    target.classList.add("selected");
    show(target);
    return true;
  }
  focusMention(text.getAttribute("data-focus") || location.hash.slice(1));
  window.addEventListener("hashchange", function () { focusMention(location.hash.slice(1)); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#m-']");
    if (link && focusMention(link.getAttribute("href").slice(1))) {
      event.preventDefault();
      event.stopPropagation();
      history.replaceState(null, "", link.getAttribute("href"));
    }
  }, true);
})();
