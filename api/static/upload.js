// Upload page: send each chosen file in its own request (XMLHttpRequest, for upload progress)
// and show a per-file result (a link to the document) or the server's error message.
(function () {
  "use strict";
  var script = document.currentScript;
  var limit = Number(script && script.getAttribute("data-limit")) || 0;
  var form = document.getElementById("upload-form");
  var input = document.getElementById("files");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("uploads");
  var button = document.getElementById("upload-button");
  var note = document.getElementById("upload-note");
  var tokenInput = document.getElementById("token");
  if (!form || !input || !list) { return; }

  if (tokenInput) {
    tokenInput.value = sessionStorage.getItem("cnpolicy-token") || "";
  }

  var STATUS = {
    indexed: "已入库 indexed: ",
    replaced: "已替换 replaced: ",
    already_indexed: "已在库中, 未重复入库 already in the library, kept as it was: "
  };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function addRow(file) {
    var row = el("li", "upload-item");
    row.appendChild(el("div", "name", file.name));
    var bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    row.appendChild(bar);
    var status = el("div", "status small", "等待 waiting");
    row.appendChild(status);
    list.appendChild(row);
    return { row: row, bar: bar, status: status };
  }

  function fail(view, message) {
    view.row.classList.add("failed");
    view.bar.value = 100;
    view.status.textContent = "失败 failed: " + message;
  }

  function succeed(view, payload) {
    view.row.classList.add("ok");
    view.bar.value = 100;
    view.status.textContent = "";
    (payload.documents || []).forEach(function (doc) {
      var line = el("div", "upload-" + (doc.status || "indexed"));
      line.appendChild(document.createTextNode(STATUS[doc.status] || STATUS.indexed));
      var link = el("a", "", doc.title || doc.id);
      link.href = "/ui/documents/" + encodeURIComponent(doc.id);
      line.appendChild(link);
      var facts = [doc.doc_type, doc.date, doc.region && doc.region.name,
        (doc.metrics || []).length + " metrics"].filter(Boolean).join(" · ");
      line.appendChild(el("span", "muted", " (" + facts + ")"));
      view.status.appendChild(line);
    });
  }

  function send(file, view) {
    return new Promise(function (resolve) {
      if (limit && file.size > limit) {
        fail(view, "文件过大 over the limit of " + Math.round(limit / 1048576) + " MB");
        resolve();
        return;
      }
      var data = new FormData();
      data.append("files", file, file.name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/documents");
      xhr.setRequestHeader("Accept", "application/json");
      var token = tokenInput ? tokenInput.value.trim() : "";
      if (token) { xhr.setRequestHeader("Authorization", "Bearer " + token); }
      xhr.upload.onprogress = function (event) {
        if (event.lengthComputable) {
          view.bar.value = Math.round((event.loaded / event.total) * 90);
          view.status.textContent = "上传中 uploading " + view.bar.value + "%";
        }
      };
      xhr.upload.onload = function () { view.status.textContent = "处理中 processing…"; };
      xhr.onload = function () {
        var payload = null;
        try { payload = JSON.parse(xhr.responseText); } catch (e) { payload = null; }
        if (xhr.status >= 200 && xhr.status < 300 && payload) {
          succeed(view, payload);
        } else {
          var error = payload && payload.error;
          var message = error ? (error.message_zh ? error.message_zh + " " : "") + error.message
            : "HTTP " + xhr.status;
          fail(view, message + " (" + xhr.status + ")");
        }
        resolve();
      };
      xhr.onerror = function () { fail(view, "网络错误 network error"); resolve(); };
      xhr.send(data);
    });
  }

  function uploadAll(files) {
    note.textContent = "";
    if (!files || !files.length) {
      note.textContent = "请先选择文件。Choose at least one file first.";
      input.focus();
      return;
    }
    if (tokenInput) { sessionStorage.setItem("cnpolicy-token", tokenInput.value.trim()); }
    button.disabled = true;
    var views = Array.prototype.map.call(files, addRow);
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file, i) {
      chain = chain.then(function () { return send(file, views[i]); });
    });
    chain.then(function () { button.disabled = false; input.value = ""; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    uploadAll(input.files);
  });
  if (zone) {
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("over");
      uploadAll(event.dataTransfer.files);
    });
  }
})();
