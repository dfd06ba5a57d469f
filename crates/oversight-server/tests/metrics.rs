//! `/metrics` on a real server that reviews a delivery: the job counted,
//! its review timed, the queue empty again, and HTTP latency recorded by
//! route template (never by the delivery's id); only `read-metrics` reads
//! it.

mod common;

use common::{Backend, Harness, agent, read_json, tar_gz};
use oversight_access::{Action, Role, Scope};

/// The value of the sample `series` (name and labels, exactly as written).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().expect("a number"))
    })
}

#[test]
fn metrics_count_a_reviewed_delivery_and_time_requests_by_route() {
    let h = Harness::start(Backend::Sqlite);
    let admin = h.account("admin", &[(Role::Admin, Scope::Organisation)]);
    let rita = h.account("rita", &[(Role::Reviewer, Scope::Organisation)]);
    let reviewer = h.token(
        &rita,
        Scope::Organisation,
        jiff::SignedDuration::from_hours(1),
    );
    // What a scraper holds: an admin's token for that one action.
    let scraper = h.runtime.block_on(async {
        h.state
            .access()
            .create_token(
                &admin,
                "prometheus",
                Scope::Organisation,
                vec![Action::ReadMetrics],
                jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1),
            )
            .await
            .expect("a token")
            .1
    });
    let scrape = |token: Option<&str>| {
        let mut request = agent().get(&format!("{}/metrics", h.base));
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let r = request.call().expect("a response");
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        (
            status,
            content_type,
            r.into_body().read_to_string().unwrap(),
        )
    };
    assert_eq!(scrape(None).0, 401, "anonymous");
    assert_eq!(scrape(Some(&reviewer)).0, 403, "a reviewer");
    let (status, content_type, before) = scrape(Some(&scraper));
    assert_eq!(status, 200, "{before}");
    assert_eq!(
        content_type.as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(
        sample(&before, "oversight_jobs_total{result=\"done\"}"),
        Some(0.0)
    );

    let body = tar_gz(&[
        ("README.md", "# Portal\n"),
        ("src/main.py", "print('hello')\n"),
    ]);
    let r = agent()
        .post(&format!(
            "{}/api/v1/engagements/acme-portal/deliveries",
            h.base
        ))
        .header("Authorization", &format!("Bearer {reviewer}"))
        .header("Content-Type", "application/gzip")
        .send(&body[..])
        .expect("submit");
    assert_eq!(r.status(), 202);
    let delivery = read_json(r)["id"].as_str().unwrap().to_owned();
    let mut text = String::new();
    for _ in 0..600 {
        let r = agent()
            .get(&format!("{}/api/v1/deliveries/{delivery}", h.base))
            .header("Authorization", &format!("Bearer {reviewer}"))
            .call()
            .unwrap();
        assert_eq!(r.status(), 200);
        let job = read_json(r);
        assert_ne!(job["status"], "failed", "{job}");
        text = scrape(Some(&scraper)).2;
        if job["status"] == "done"
            && sample(&text, "oversight_jobs_total{result=\"done\"}") == Some(1.0)
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert_eq!(
        sample(&text, "oversight_jobs_total{result=\"done\"}"),
        Some(1.0),
        "{text}"
    );
    for result in ["failed", "dead", "retried"] {
        assert_eq!(
            sample(
                &text,
                &format!("oversight_jobs_total{{result=\"{result}\"}}")
            ),
            Some(0.0),
            "{result}"
        );
    }
    assert_eq!(
        sample(&text, "oversight_review_duration_seconds_count"),
        Some(1.0)
    );
    assert!(sample(&text, "oversight_review_duration_seconds_sum").unwrap() > 0.0);
    assert_eq!(sample(&text, "oversight_job_wait_seconds_count"), Some(1.0));
    assert_eq!(
        sample(&text, "oversight_reviewed_bytes_total"),
        Some(body.len() as f64)
    );
    for state in ["queued", "running", "dead"] {
        assert_eq!(
            sample(
                &text,
                &format!("oversight_jobs_queue_depth{{state=\"{state}\"}}")
            ),
            Some(0.0),
            "{state}"
        );
    }
    // HTTP latency by route template: the polls of the delivery, the
    // submission, the refused scrapes.
    let polls = sample(
        &text,
        "oversight_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/deliveries/{id}\",status=\"2xx\"}",
    )
    .expect("the delivery's route");
    assert!(polls >= 1.0, "{polls}");
    assert_eq!(
        sample(
            &text,
            "oversight_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/engagements/{id}/deliveries\",status=\"2xx\"}",
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            "oversight_http_request_duration_seconds_count{method=\"GET\",route=\"/metrics\",status=\"4xx\"}",
        ),
        Some(2.0)
    );
    assert!(
        !text.contains(&delivery),
        "a delivery id in a label:\n{text}"
    );
    // A path no route matches is one series, whatever the path.
    for path in ["/nothing/1", "/nothing/2"] {
        let r = agent().get(&format!("{}{path}", h.base)).call().unwrap();
        assert_eq!(r.status(), 404);
    }
    let text = scrape(Some(&scraper)).2;
    assert_eq!(
        sample(
            &text,
            "oversight_http_request_duration_seconds_count{method=\"GET\",route=\"unmatched\",status=\"4xx\"}",
        ),
        Some(2.0),
        "{text}"
    );
    assert!(!text.contains("/nothing/"));
}
