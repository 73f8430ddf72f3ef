//! Integration tests: the real server on a random port, over TCP, on SQLite and
//! (when SWITCHBOARD_TEST_POSTGRES_URL is set) PostgreSQL.

#![forbid(unsafe_code)]

mod browser;
mod openapi;
mod receiver;
mod support;

mod accounts_api;
mod addresses;
mod api_keys;
mod applications;
mod audit_trail;
mod available_numbers;
mod backup;
mod bad_input;
mod call_events;
mod call_recordings;
mod caller_ids;
mod cli;
mod conference_recordings;
mod conferences;
mod connect;
mod connect_apps_api;
mod connect_codes;
mod connect_owner_view;
mod connect_redirects;
mod connections;
mod consent_security;
mod console_pages;
mod engine_races;
mod error_bodies;
mod extension_paths;
mod health;
mod inbound_calls;
mod inbound_messages;
mod media;
mod message_feedback;
mod messaging_services;
mod metrics;
mod notifications;
mod phone_page;
mod principal;
mod processes;
mod queue_calls;
mod queue_clock;
mod queues;
mod realtime_transcriptions;
mod recording_media;
mod revocation;
mod sandbox;
mod sandbox_clock;
mod sandbox_controls;
mod short_codes;
mod sign_in_throttling;
mod telephony;
mod transcriptions;
mod usage_triggers;
mod voice_bad_input;
mod voice_calls;
mod voice_record;
