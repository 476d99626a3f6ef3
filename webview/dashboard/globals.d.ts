/** Stylesheets imported for esbuild, which emits them next to the bundle (dist/webview/dashboard.css). */
declare module '*.css';
