// Starts YASGUI (served from this site) on the SPARQL endpoint named in the page, on one example
// query; the picker above it opens a stored query in a tab of its own. IRIs of this graph in the
// results link to their pages on this site. Nothing is fetched from another host: the endpoint
// list holds only this site's endpoint, a shared link cannot name another one, and the
// autocompleters that ask remote vocabulary services are switched off.
(function () {
  "use strict";
  var configElement = document.getElementById("editor-config");
  var root = document.getElementById("yasgui");
  if (!configElement || !root || typeof Yasgui === "undefined") { return; }
  var config = JSON.parse(configElement.textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;

  // --- links from results to this site's pages ---------------------------------------------------
  var SAFE_FILE = /[A-Za-z0-9_.~-]/;
  var SAFE_PATH = /[A-Za-z0-9\/%:@!$&'()*+,;=._~-]/;
  function percentEncode(text, safe) {
    var out = "";
    var bytes = new TextEncoder().encode(text);
    for (var i = 0; i < bytes.length; i += 1) {
      var c = String.fromCharCode(bytes[i]);
      out += bytes[i] < 128 && safe.test(c) ? c : "%" + (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16).toUpperCase();
    }
    return out;
  }
  function fileSegment(segment) {  // as afkg.publish.site.links.file_segment names a file
    var plain;
    try { plain = decodeURIComponent(segment); } catch (e) { plain = segment; }
    var name = percentEncode(plain, SAFE_FILE);
    if (name.charAt(0) === ".") { name = "%2E" + name.slice(1); }
    return name || "%2E";
  }
  // Where this site's pages are, relative to this page (in the attributes of the editor's element).
  var pages = {
    before: root.getAttribute("data-resource-before") || "",
    after: root.getAttribute("data-resource-after") || "",
    files: root.getAttribute("data-resource-files") === "true",
    ontology: root.getAttribute("data-ontology-page") || ""
  };
  // The href of this site's page for an IRI of ours, or null.
  function siteHref(iri) {
    var resources = config.namespaces.resource;
    var ontology = config.namespaces.ontology;
    if (iri.indexOf(resources) === 0 && iri.length > resources.length && iri.indexOf("#") < 0 &&
        iri.indexOf("?") < 0) {
      var rest = iri.slice(resources.length);
      var path = pages.files ? rest.split("/").map(fileSegment).join("/") : percentEncode(rest, SAFE_PATH);
      return pages.before + path + pages.after;
    }
    if (pages.ontology && iri.indexOf(ontology) === 0 && iri.length > ontology.length) {
      return pages.ontology + "#" + percentEncode(iri.slice(ontology.length), SAFE_FILE);
    }
    return null;
  }
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function shortName(iri, prefixes) {
    var best = null;
    Object.keys(prefixes || {}).forEach(function (name) {
      var ns = prefixes[name];
      if (iri.indexOf(ns) === 0 && (best === null || ns.length > prefixes[best].length)) { best = name; }
    });
    return best === null ? iri : best + ":" + iri.slice(prefixes[best].length);
  }
  var Table = Yasgui.Yasr && Yasgui.Yasr.plugins && Yasgui.Yasr.plugins.table;
  if (Table && Table.prototype.getUriLinkFromBinding) {
    var original = Table.prototype.getUriLinkFromBinding;
    Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
      var href = binding && typeof binding.value === "string" ? siteHref(binding.value) : null;
      if (href === null) { return original.call(this, binding, prefixes); }
      return "<a class='iri' href='" + escapeHtml(href) + "' title='" + escapeHtml(binding.value) + "'>" +
        escapeHtml(shortName(binding.value, prefixes)) + "</a>";
    };
  }

  // --- the editor ---------------------------------------------------------------------------------
  function ownRequest() { return { endpoint: endpoint, method: "POST" }; }
  var yasgui = new Yasgui(root, {
    requestConfig: ownRequest(),
    copyEndpointOnNewTab: true,
    persistenceId: null,
    // a shared link (#query=…) opens its query, always on this site's endpoint
    populateFromUrl: function (tab) {
      tab.requestConfig = Object.assign({}, tab.requestConfig, ownRequest(), { headers: {}, args: [] });
      tab.name = "Shared query";
      return tab;
    },
    autofocus: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    yasqe: {
      autocompleters: ["prefixes", "variables"],
      value: config.starter,
      collapsePrefixesOnLoad: true,
      resizeable: true
    },
    yasr: { prefixes: config.prefixes }
  });
  window.afkgEditor = yasgui;
  var first = yasgui.getTab();
  if (first && first.getName() !== "Shared query") { first.setName("Example"); }

  // --- the picker: a stored query in a tab of its own ---------------------------------------------
  var picker = document.getElementById("editor-picker");
  var choice = document.getElementById("editor-pick");
  if (!picker || !choice) { return; }
  var examples = {};
  config.examples.forEach(function (example) { examples[example.name] = example; });
  var opened = {};
  picker.hidden = false;
  picker.addEventListener("submit", function (event) {
    event.preventDefault();
    var example = examples[choice.value];
    if (!example) { return; }
    var id = opened[example.name];
    if (id && yasgui.getTab(id)) {
      yasgui.selectTabId(id);
      return;
    }
    var tab = yasgui.addTab(true, {
      name: example.name,
      requestConfig: ownRequest(),
      yasqe: { value: example.query }
    });
    opened[example.name] = tab.getId();
    var yasqe = tab.getYasqe && tab.getYasqe();
    if (yasqe && yasqe.collapsePrefixes) { yasqe.collapsePrefixes(true); }
  });
})();
