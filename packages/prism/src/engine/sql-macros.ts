// SQL macros every transform may call: user-agent parsing (browser, OS, device type) and URL host, kept
// here so silver.events and user pipelines classify the same way.
import type { Sql } from '@lens/lake';

const MACROS = [
  `CREATE OR REPLACE MACRO url_host(u) AS nullif(lower(regexp_extract(u, '^[a-zA-Z][a-zA-Z0-9+.-]*://([^/:?#]+)', 1)), '')`,
  // Order matters: Edge and Opera also say Chrome; Chrome also says Safari.
  `CREATE OR REPLACE MACRO ua_browser(ua) AS CASE
     WHEN ua IS NULL THEN NULL
     WHEN regexp_matches(ua, '(?i)bot|crawler|spider|headless|python-requests') THEN 'Bot'
     WHEN ua LIKE '%Edg/%' THEN 'Edge' WHEN ua LIKE '%OPR/%' THEN 'Opera'
     WHEN ua LIKE '%Firefox/%' OR ua LIKE '%FxiOS/%' THEN 'Firefox'
     WHEN ua LIKE '%Chrome/%' OR ua LIKE '%CriOS/%' THEN 'Chrome'
     WHEN ua LIKE '%Safari/%' THEN 'Safari' ELSE 'Other' END`,
  `CREATE OR REPLACE MACRO ua_os(ua) AS CASE
     WHEN ua IS NULL THEN NULL
     WHEN ua LIKE '%iPhone%' OR ua LIKE '%iPad%' THEN 'iOS' WHEN ua LIKE '%Android%' THEN 'Android'
     WHEN ua LIKE '%Windows%' THEN 'Windows' WHEN ua LIKE '%Mac OS X%' OR ua LIKE '%Macintosh%' THEN 'macOS'
     WHEN ua LIKE '%Linux%' THEN 'Linux' ELSE 'Other' END`,
  `CREATE OR REPLACE MACRO ua_device_type(ua) AS CASE
     WHEN ua IS NULL THEN NULL
     WHEN ua LIKE '%iPad%' OR ua LIKE '%Tablet%' THEN 'tablet'
     WHEN ua LIKE '%Mobile%' OR ua LIKE '%iPhone%' OR ua LIKE '%Android%' THEN 'mobile' ELSE 'desktop' END`,
];

/** Registers the macros on a DuckDB connection. */
export async function registerMacros(db: Sql): Promise<void> {
  for (const m of MACROS) await db.run(m);
}
