// Starts YASGUI (served from this site) on the SPARQL endpoint named in the page,
// with the project's prefixes and one tab per stored query. Nothing is fetched from another host:
// the endpoint list holds only this site's endpoint, and the autocompleters that ask
// remote vocabulary services are switched off.
(function () {
  "use strict";
  var configElement = document.getElementById("editor-config");
  var root = document.getElementById("yasgui");
  if (!configElement || !root || typeof Yasgui === "undefined") { return; }
  var config = JSON.parse(configElement.textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var prefixLines = Object.keys(config.prefixes).sort().map(function (name) {
    return "PREFIX " + name + ": <" + config.prefixes[name] + ">";
  }).join("\n");
  var starter = prefixLines + "\n\nSELECT ?item ?label WHERE {\n  ?item rdfs:label ?label .\n}\nLIMIT 20\n";
  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autofocus: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; }, keys: [] },
    yasqe: { autocompleters: ["prefixes", "variables"], value: starter },
    yasr: { prefixes: config.prefixes }
  });
  window.afkgEditor = yasgui;
  var first = yasgui.getTab();
  if (first) { first.setName("New query"); }
  config.examples.forEach(function (example) {
    yasgui.addTab(false, {
      name: example.name,
      requestConfig: { endpoint: endpoint, method: "POST" },
      yasqe: { value: example.query }
    });
  });
})();
