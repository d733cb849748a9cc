//! The store contract, told as stories. Each story runs on a fresh SQLite file and on a fresh
//! PostgreSQL database and must give the same results on both.

mod backends;
mod stories;

use backends::{postgres, sqlite};

macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[tokio::test] async fn $story() { let f = super::sqlite().await; super::stories::$story(&f).await; })*
        }
        mod on_postgres {
            $(#[tokio::test] async fn $story() { if let Some(f) = super::postgres().await { super::stories::$story(&f).await; } })*
        }
    };
}

on_both_backends!(
    a_report_is_stored_whole_and_gets_a_ticket,
    a_report_becomes_an_incident_and_walks_to_closed,
    classification_defaults_follow_the_category_and_history_is_kept,
    reports_are_linked_rejected_and_incidents_merged,
    lists_filter_and_paginate,
    assigned_to_me_is_owned_or_holding_a_task,
    tlp_red_incidents_are_seen_only_by_the_people_named_on_them,
    users_sessions_and_tokens,
    administrators_change_roles_and_disable_accounts_but_keep_one_admin,
    the_audit_chain_records_every_write_and_detects_tampering,
    concurrent_writers_keep_the_audit_chain_linear,
    two_nodes_writing_one_database_keep_one_audit_chain,
    indicators_correlate_across_incidents_without_leaking_context,
    attaching_is_all_or_nothing_and_audit_batches_keep_the_chain,
    facts_link_indicators_across_incidents_and_follow_visibility,
    reports_record_their_indicators_as_sightings,
    sweep_hits_become_sightings_once_and_find_their_assets,
    sharing_groups_enforce_their_ceiling_and_page_objects,
    misp_events_are_seen_only_by_their_audience,
    feeds_and_imports_link_indicators_to_their_source,
    time_metrics_come_from_recorded_times_and_phase_history,
    time_summary_and_reopened_flag_match_the_direct_computation_on_random_data,
    counts_by_constituency_and_coordinated_cases_follow_the_fiscal_year,
    rollups_match_the_direct_query_on_random_data,
    outgoing_mail_is_queued_claimed_once_retried_and_answered,
    the_outbox_overview_counts_everything_and_lists_only_what_the_viewer_may_see,
    template_overrides_are_saved_replaced_reset_and_audited,
    contacts_are_kept_checked_and_audited,
    notifications_are_queued_with_their_incident_and_answered_by_a_reply,
    the_graph_walks_across_incidents_without_leaking_red,
    writeup_and_owner_reached_are_kept_with_their_history,
    owner_reached_times_feed_the_time_metrics,
    search_finds_indicators_as_pasted_without_leaking_red,
    keyset_pages_neither_lose_nor_repeat_rows_with_ties,
    text_search_finds_substrings_follows_changes_and_keeps_red_hidden,
    saved_filters_are_per_user_unique_and_audited,
    sweep_jobs_are_claimed_once_report_progress_cancel_and_record_sightings,
    sweep_jobs_of_a_red_incident_are_hidden_from_people_not_named_on_it,
);
