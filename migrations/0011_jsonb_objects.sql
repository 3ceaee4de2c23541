-- Until now, JSON written through postgres.js was stored as a JSON string holding the document ("{\"host\": …}")
-- rather than the document itself: a text parameter cast to jsonb by the server would have been right, but a
-- parameter typed jsonb makes postgres.js encode the JavaScript string once more. Readers parsed twice, so it
-- worked, but SQL could not look inside. Unwrap what was stored that way; PGlite stored objects all along.
update files set columns = (columns #>> '{}')::jsonb where jsonb_typeof(columns) = 'string';
update connections set settings = (settings #>> '{}')::jsonb where jsonb_typeof(settings) = 'string';
update connections set schema_cache = (schema_cache #>> '{}')::jsonb where jsonb_typeof(schema_cache) = 'string';
