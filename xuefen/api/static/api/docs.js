// Starts Swagger UI with the settings the page carries (no inline script). The OpenAPI document
// is fetched in the page's language: its Accept-Language says so (a language cookie, when the
// reader chose one, is sent as well and says the same).
(function () {
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  var language = document.documentElement.lang;
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  settings.requestInterceptor = function (request) {
    request.headers["Accept-Language"] = language;
    return request;
  };
  window.ui = SwaggerUIBundle(settings);
})();
