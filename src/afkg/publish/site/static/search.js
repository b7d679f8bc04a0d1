// The search page without a server: when the page lists every resource (the index), the words
// in ?q= and those typed in the box narrow the list in the browser, exact and leading matches
// first, as the server ranks them. Nothing is fetched.
(function () {
  "use strict";
  var list = document.querySelector("ul.search-index");
  var box = document.getElementById("q");
  if (!list || !box) { return; }
  var none = document.querySelector(".search-none");
  var count = document.querySelector(".search-count");
  var everything = count ? count.textContent : "";
  var items = Array.prototype.slice.call(list.querySelectorAll("li[data-name]"));
  function fold(text) { return text.replace(/_/g, " ").replace(/\s+/g, " ").trim().toLowerCase(); }
  function rank(item, wanted) {
    var label = item.getAttribute("data-label") || "";
    return label === wanted ? 0 : label.indexOf(wanted) === 0 ? 1 : 2;
  }
  function narrow() {
    var wanted = fold(box.value);
    var kept = items.filter(function (item) {
      var keep = !wanted || item.getAttribute("data-name").indexOf(wanted) >= 0;
      item.hidden = !keep;
      return keep;
    });
    kept.map(function (item, index) { return [wanted ? rank(item, wanted) : 0, index, item]; })
      .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
      .forEach(function (entry) { list.appendChild(entry[2]); });
    items.forEach(function (item) { if (item.hidden) { list.appendChild(item); } });
    if (none) { none.hidden = kept.length > 0; }
    if (count) { count.textContent = wanted ? kept.length + " found for “" + box.value.trim() + "”." : everything; }
  }
  var given = new URLSearchParams(window.location.search).get("q");
  if (given) { box.value = given; }
  box.addEventListener("input", narrow);
  narrow();
})();
