/**
 * The `/docs` page: Swagger UI over `/openapi.json`. URLs are relative to `/docs`, so the page keeps working
 * behind a proxy that mounts the gateway under a path. No inline script (the start-up code is `docs/init.js`), so
 * the page's policy can allow scripts from this origin alone.
 */
export const SWAGGER_UI_PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Conveyor API</title>
    <link rel="stylesheet" href="docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="docs/favicon-32x32.png" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="docs/swagger-ui-bundle.js"></script>
    <script src="docs/swagger-ui-standalone-preset.js"></script>
    <script src="docs/init.js"></script>
  </body>
</html>
`;

/** Starts Swagger UI on the document (served as `docs/init.js`). */
export const SWAGGER_UI_INIT = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

/**
 * The page's Content-Security-Policy, in place of the API's allow-nothing one: its own scripts, styles (Swagger UI
 * also sets inline styles), images (some inline as data URIs) and requests to this origin (the document, "Try it
 * out"), nothing else, and no framing.
 */
export const SWAGGER_UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
