-- The single-incident report (issue 9, "Documents 2"): what the handler writes about an incident
-- beyond its title and summary (impact in words, the accounts and data in scope, lessons
-- learned), and when the owner of the affected system was reached, the moment the headline
-- metric (report received → owner reached) stops. Changes are timeline events, so the history is
-- kept there; these columns hold the current text.
ALTER TABLE incidents ADD COLUMN impact_text TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN scope_accounts TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN scope_data TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN lessons TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN owner_reached_at BIGINT;
