// The customer picker: a phone field that suggests customers as you type a name or digits.
// <div data-customer-picker data-autocomplete-url="…"><input …><datalist></datalist></div>
// Each suggestion's value is the customer's phone, which is what the form expects; without
// JavaScript the field still takes a phone number typed in full.
(function () {
  "use strict";
  function attach(box) {
    var input = box.querySelector("input");
    var list = box.querySelector("datalist");
    if (!input || !list) return;
    input.setAttribute("list", list.id);
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      var term = input.value.trim();
      if (term.length < 2 || term === last) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = term;
        var url = box.dataset.autocompleteUrl + "?q=" + encodeURIComponent(term);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            (data.results || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.phone;
              option.label = item.text + " · " + item.store;
              list.appendChild(option);
            });
          })
          .catch(function () { list.replaceChildren(); });
      }, 250);
    });
  }
  function init(root) {
    root.querySelectorAll("[data-customer-picker]").forEach(attach);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
