//! Sweeps as background jobs: queued, claimed once, reported on, cancelled, finished with their
//! sightings, taken again when a runner dies, and hidden with their incident.

use super::*;

fn hit(line: i64) -> NewSighting {
    NewSighting {
        indicator: ind(Kind::Domain, "evil.example.net"),
        source: "squid:access.log".into(),
        line,
        offset: line * 100,
        field: "url".into(),
        host: "10.0.0.7".into(),
        destination: "www.evil.example.net".into(),
        seen_at: "1700000001.815".into(),
    }
}

fn job(sources: &[&str]) -> NewSweepJob {
    NewSweepJob {
        sources: sources.iter().map(|s| s.to_string()).collect(),
        upload_key: String::new(),
    }
}

/// Queue a job as `who` (a handler who can see the incident).
async fn queue(s: &Store, who: UserId, inc: IncidentId, sources: &[&str]) -> SweepJob {
    s.create_sweep_job(&Actor::User(who), Viewer::User(who), inc, &job(sources))
        .await
        .unwrap()
}

fn progress(bytes_done: i64, lines: i64, hits: i64) -> SweepProgress {
    SweepProgress {
        bytes_done,
        bytes_total: 1000,
        lines,
        hits,
    }
}

fn ended(state: SweepState, p: SweepProgress) -> SweepOutcome {
    SweepOutcome {
        state,
        progress: p,
        error: String::new(),
    }
}

pub async fn sweep_jobs_are_claimed_once_report_progress_cancel_and_record_sightings(f: &Fresh) {
    let s = &f.store;
    let handler = user(s, "handler", Role::Handler).await;
    let me = Actor::User(handler.id);
    let inc = s
        .create_incident(&me, new_incident("c2", Category::MalwareSite, vec![]))
        .await
        .unwrap();
    let j = queue(
        s,
        handler.id,
        inc.id,
        &["squid:access.log", "upload:proxy.log.gz"],
    )
    .await;
    assert_eq!(j.state, SweepState::Queued);
    assert_eq!(j.requested_by, Some(handler.id.0));
    assert_eq!(j.requested_by_name, "handler");
    assert_eq!(j.sources, ["squid:access.log", "upload:proxy.log.gz"]);
    let empty = s
        .create_sweep_job(&me, Viewer::User(handler.id), inc.id, &job(&[]))
        .await;
    assert!(matches!(empty, Err(StoreError::Conflict(_))), "{empty:?}");

    // One runner gets it; the other finds nothing.
    let claimed = s
        .claim_sweep_job("node-a", 60_000, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (claimed.id, claimed.state, claimed.attempts),
        (j.id, SweepState::Running, 1)
    );
    assert!(claimed.started_at.is_some());
    assert!(
        s.claim_sweep_job("node-b", 60_000, 3)
            .await
            .unwrap()
            .is_none()
    );

    // Progress is reported by the holder only.
    assert!(
        !s.sweep_job_progress(j.id, "node-a", &progress(400, 10, 2), 60_000)
            .await
            .unwrap()
    );
    let lost = s
        .sweep_job_progress(j.id, "node-b", &progress(1, 1, 1), 60_000)
        .await;
    assert!(matches!(lost, Err(StoreError::Conflict(_))), "{lost:?}");
    let seen = s.sweep_job(Viewer::User(handler.id), j.id).await.unwrap();
    assert_eq!(seen.progress, progress(400, 10, 2));

    // A cancel request reaches the runner with its next report.
    let c = s
        .request_sweep_cancel(&me, Viewer::User(handler.id), j.id)
        .await
        .unwrap();
    assert_eq!((c.state, c.cancel_requested), (SweepState::Running, true));
    assert!(
        s.sweep_job_progress(j.id, "node-a", &progress(500, 12, 2), 60_000)
            .await
            .unwrap()
    );

    // What was found before stopping is recorded, with a timeline event naming the job.
    let rec = s
        .finish_sweep_job(
            j.id,
            "node-a",
            &ended(SweepState::Cancelled, progress(500, 12, 2)),
            &[hit(3), hit(9)],
        )
        .await
        .unwrap();
    assert_eq!(rec.new, 2);
    let done = s.sweep_job(Viewer::System, j.id).await.unwrap();
    assert_eq!((done.state, done.new_sightings), (SweepState::Cancelled, 2));
    assert!(done.finished_at.is_some());
    let again = s
        .finish_sweep_job(
            j.id,
            "node-a",
            &ended(SweepState::Done, progress(1, 1, 1)),
            &[],
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let cancel_ended = s.request_sweep_cancel(&me, Viewer::System, j.id).await;
    assert!(
        matches!(cancel_ended, Err(StoreError::Conflict(_))),
        "{cancel_ended:?}"
    );
    let events = s.timeline(Viewer::System, inc.id).await.unwrap();
    let sweep = events
        .iter()
        .find(|e| e.kind == "sweep")
        .expect("a sweep event");
    assert_eq!(sweep.data["job"], j.id);
    assert_eq!(sweep.data["state"], "cancelled");
    assert_eq!(sweep.data["new"], 2);

    // A runner that stops renewing its lease loses the job to the next claim; the rerun adds no
    // sighting that is already there.
    let j2 = queue(s, handler.id, inc.id, &["squid:access.log"]).await;
    let first = s.claim_sweep_job("node-a", -1, 3).await.unwrap().unwrap();
    assert_eq!(first.id, j2.id);
    let second = s
        .claim_sweep_job("node-b", 60_000, 3)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((second.id, second.attempts), (j2.id, 2));
    let stale = s
        .finish_sweep_job(
            j2.id,
            "node-a",
            &ended(SweepState::Done, progress(1000, 20, 3)),
            &[hit(3)],
        )
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let rec = s
        .finish_sweep_job(
            j2.id,
            "node-b",
            &ended(SweepState::Done, progress(1000, 20, 3)),
            &[hit(3), hit(9), hit(9)],
        )
        .await
        .unwrap();
    assert_eq!(rec.new, 0, "the same lines again add nothing");
    assert_eq!(
        s.incident_sightings(Viewer::System, inc.id)
            .await
            .unwrap()
            .len(),
        2
    );
    let d2 = s.sweep_job(Viewer::System, j2.id).await.unwrap();
    assert_eq!(
        (d2.state, d2.new_sightings, d2.progress.hits),
        (SweepState::Done, 0, 3)
    );

    // Claimed too often without finishing: failed, with the reason.
    let j3 = queue(s, handler.id, inc.id, &["squid:big.log"]).await;
    assert_eq!(
        s.claim_sweep_job("node-a", -1, 1)
            .await
            .unwrap()
            .unwrap()
            .id,
        j3.id
    );
    assert!(
        s.claim_sweep_job("node-b", 60_000, 1)
            .await
            .unwrap()
            .is_none()
    );
    let d3 = s.sweep_job(Viewer::System, j3.id).await.unwrap();
    assert_eq!(d3.state, SweepState::Failed);
    assert!(d3.error.contains("stopped 1 times"), "{}", d3.error);

    // A queued job is cancelled at once and never claimed.
    let j4 = queue(s, handler.id, inc.id, &["squid:access.log"]).await;
    let c4 = s
        .request_sweep_cancel(&me, Viewer::User(handler.id), j4.id)
        .await
        .unwrap();
    assert_eq!(c4.state, SweepState::Cancelled);
    assert!(
        s.claim_sweep_job("node-a", 60_000, 3)
            .await
            .unwrap()
            .is_none()
    );

    let list = s
        .sweep_jobs(Viewer::User(handler.id), inc.id)
        .await
        .unwrap();
    let ids: Vec<i64> = list.iter().map(|j| j.id).collect();
    assert_eq!(ids, [j4.id, j3.id, j2.id, j.id], "newest first");

    let actions: Vec<String> = s
        .recent_audit(200)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "sweep.create",
        "sweep.claim",
        "sweep.cancel",
        "sweep.finish",
        "sweep.expire",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} audited: {actions:?}");
    }
    assert!(s.verify_audit().await.unwrap().is_ok());
}

pub async fn sweep_jobs_of_a_red_incident_are_hidden_from_people_not_named_on_it(f: &Fresh) {
    let s = &f.store;
    let owner = user(s, "owner", Role::Handler).await;
    let other = user(s, "other", Role::Handler).await;
    let mut n = new_incident("Red incident", Category::Targeted, vec![]);
    n.tlp = Tlp::Red;
    n.owner = Some(owner.id);
    let red = s.create_incident(&Actor::Cli, n).await.unwrap();
    let them = Actor::User(other.id);
    let refused = s
        .create_sweep_job(
            &them,
            Viewer::User(other.id),
            red.id,
            &job(&["squid:a.log"]),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::NotFound(_))),
        "{refused:?}"
    );
    let j = s
        .create_sweep_job(
            &Actor::User(owner.id),
            Viewer::User(owner.id),
            red.id,
            &job(&["squid:a.log"]),
        )
        .await
        .unwrap();
    assert!(matches!(
        s.sweep_job(Viewer::User(other.id), j.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.sweep_jobs(Viewer::User(other.id), red.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        s.request_sweep_cancel(&them, Viewer::User(other.id), j.id)
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        s.sweep_job(Viewer::User(owner.id), j.id)
            .await
            .unwrap()
            .state,
        SweepState::Queued
    );
    assert_eq!(
        s.sweep_jobs(Viewer::User(owner.id), red.id)
            .await
            .unwrap()
            .len(),
        1
    );
}
