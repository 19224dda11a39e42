// @lens/dashboard's Node entry: the Fastify plugin that serves the built web app. The app itself
// (src/app) is a browser bundle built by Vite and has no Node exports.
export { dashboardPlugin, DASHBOARD_APP_DIR, type DashboardPluginOptions } from './dashboard-plugin.js';
