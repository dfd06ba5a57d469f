//! DSSE envelopes with in-toto statements and SLSA provenance (v0.2 signed
//! with ed25519, v1 with ECDSA P-256), built here over real artefacts of
//! the Sigstore corpus and verified; tampered artefacts, a wrong commit, a
//! wrong key, an altered payload and invalid JSON are each detected with a
//! reason. The corpus' real Sigstore bundles are read and never reported as
//! verified.

use base64::Engine as _;
use oversight_provenance::{
    ProvenanceError, TrustedKey, check, pae, read_sigstore_bundle, verify_envelope,
};
use sha2::Digest as _;

const COMMIT: &str = "0f3c5e6a8b1d2f4e6a8c0b2d4f6e8a0c2b4d6f8e";

fn assets() -> std::path::PathBuf {
    oversight_test_support::corpora().join("sigstore/sigstore__sigstore-python/test/assets")
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

fn artefacts() -> Vec<(String, Vec<u8>)> {
    ["bundle_v3.txt", "bundle_v3_github.whl"]
        .iter()
        .map(|name| {
            let bytes = std::fs::read(assets().join(name))
                .unwrap_or_else(|e| panic!("corpus file {name}: {e} (is OVERSIGHT_CORPORA set?)"));
            ((*name).to_owned(), bytes)
        })
        .collect()
}

fn subjects(artefacts: &[(String, Vec<u8>)]) -> Vec<serde_json::Value> {
    artefacts
        .iter()
        .map(|(name, bytes)| serde_json::json!({"name": name, "digest": {"sha256": sha256(bytes)}}))
        .collect()
}

fn statement_v02(artefacts: &[(String, Vec<u8>)], commit: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": subjects(artefacts),
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "predicate": {
            "builder": {"id": "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.9.0"},
            "buildType": "https://github.com/slsa-framework/slsa-github-generator/generic@v1",
            "invocation": {"configSource": {"uri": "git+https://git.supplier.example/app@refs/heads/main", "digest": {"sha1": commit}, "entryPoint": ".github/workflows/release.yml"}},
            "materials": [{"uri": "git+https://git.supplier.example/app@refs/heads/main", "digest": {"sha1": commit}}]
        }
    }))
    .unwrap()
}

fn statement_v1(artefacts: &[(String, Vec<u8>)], commit: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": subjects(artefacts),
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": "refs/heads/main", "repository": "https://git.supplier.example/app", "path": ".github/workflows/release.yml"}},
                "resolvedDependencies": [{"uri": "git+https://git.supplier.example/app@refs/heads/main", "digest": {"gitCommit": commit}}]
            },
            "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}, "metadata": {"invocationId": "1"}}
        }
    }))
    .unwrap()
}

fn envelope(payload: &[u8], sig: &[u8]) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD;
    serde_json::to_vec(&serde_json::json!({
        "payloadType": "application/vnd.in-toto+json",
        "payload": b64.encode(payload),
        "signatures": [{"keyid": "", "sig": b64.encode(sig)}]
    }))
    .unwrap()
}

fn ed25519(seed: u8) -> (ed25519_dalek::SigningKey, TrustedKey) {
    use ed25519_dalek::pkcs8::EncodePublicKey as _;
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let pem = signing
        .verifying_key()
        .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .unwrap();
    (
        signing,
        TrustedKey::from_pem(&format!("ed25519-{seed}"), &pem).unwrap(),
    )
}

fn sign_ed25519(key: &ed25519_dalek::SigningKey, payload: &[u8]) -> Vec<u8> {
    use ed25519_dalek::Signer as _;
    key.sign(&pae("application/vnd.in-toto+json", payload))
        .to_bytes()
        .to_vec()
}

fn lookup(artefacts: &[(String, Vec<u8>)]) -> impl Fn(&str) -> Option<String> + '_ {
    move |name| {
        artefacts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| sha256(b))
    }
}

#[test]
fn slsa_v02_signed_with_ed25519_verifies_and_matches_the_delivery() {
    let artefacts = artefacts();
    let (signing, trusted) = ed25519(7);
    let payload = statement_v02(&artefacts, COMMIT);
    let bytes = envelope(&payload, &sign_ed25519(&signing, &payload));
    let verified = verify_envelope(&bytes, &[trusted]).expect("verifies");
    assert_eq!(verified.signed_by, "ed25519-7");
    let checks = check(&verified, &lookup(&artefacts), Some(COMMIT));
    assert_eq!(checks.len(), 2);
    for c in &checks {
        assert!(c.problems.is_empty(), "{c:?}");
        assert_eq!(c.source_revision.as_deref(), Some(COMMIT));
        assert!(
            c.builder
                .as_deref()
                .unwrap()
                .contains("slsa-github-generator")
        );
    }

    // A tampered artefact, a commit other than the delivered one.
    let mut tampered = artefacts.clone();
    tampered[1].1.push(0);
    let checks = check(
        &verified,
        &lookup(&tampered),
        Some("1111111111111111111111111111111111111111"),
    );
    assert_eq!(checks[0].problems.len(), 1, "{checks:?}");
    assert!(
        checks[0].problems[0].contains("built from source revision 0f3c5e6a"),
        "{checks:?}"
    );
    assert_eq!(checks[1].problems.len(), 2, "{checks:?}");
    assert!(
        checks[1].problems[0].contains("the delivered file's SHA-256 is"),
        "{checks:?}"
    );
    // An artefact that was not delivered.
    let checks = check(&verified, &lookup(&artefacts[..1]), Some(COMMIT));
    assert_eq!(checks[1].problems, ["the artefact was not delivered"]);
}

#[test]
fn slsa_v1_signed_with_p256_verifies() {
    use p256::ecdsa::signature::Signer as _;
    use p256::pkcs8::EncodePublicKey as _;
    let artefacts = artefacts();
    let signing = p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap();
    let pem = signing
        .verifying_key()
        .to_public_key_pem(p256::pkcs8::LineEnding::LF)
        .unwrap();
    let trusted = TrustedKey::from_pem("supplier-release", &pem).unwrap();
    let payload = statement_v1(&artefacts, COMMIT);
    let sig: p256::ecdsa::Signature = signing.sign(&pae("application/vnd.in-toto+json", &payload));
    let bytes = envelope(&payload, sig.to_der().as_bytes());
    let verified = verify_envelope(&bytes, &[ed25519(1).1, trusted]).expect("verifies");
    assert_eq!(verified.signed_by, "supplier-release");
    assert_eq!(
        verified.statement.builder(),
        Some("https://github.com/actions/runner/github-hosted")
    );
    let checks = check(&verified, &lookup(&artefacts), Some(COMMIT));
    assert!(checks.iter().all(|c| c.problems.is_empty()), "{checks:?}");
}

#[test]
fn wrong_key_altered_payload_and_bad_input_are_refused_with_a_reason() {
    let artefacts = artefacts();
    let (signing, trusted) = ed25519(7);
    let (_, other) = ed25519(8);
    let payload = statement_v02(&artefacts, COMMIT);
    let sig = sign_ed25519(&signing, &payload);
    assert_eq!(
        verify_envelope(&envelope(&payload, &sig), &[other]).unwrap_err(),
        ProvenanceError::NotSigned { keys: 1 }
    );
    // The statement changed after signing (another artefact digest).
    let altered = statement_v02(&artefacts[..1], COMMIT);
    assert_eq!(
        verify_envelope(&envelope(&altered, &sig), std::slice::from_ref(&trusted)).unwrap_err(),
        ProvenanceError::NotSigned { keys: 1 }
    );
    let err = verify_envelope(b"{\"payloadType\": 1", &[trusted]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("the DSSE envelope is not valid JSON"),
        "{err}"
    );
    let err = TrustedKey::from_pem("release-key", "ssh-ed25519 AAAA").unwrap_err();
    assert_eq!(
        err.to_string(),
        "key `release-key` is not an ed25519 or ECDSA P-256 public key in PEM (SubjectPublicKeyInfo)"
    );
}

#[test]
fn real_sigstore_bundles_are_read_and_never_reported_verified() {
    let mut read = 0;
    for entry in std::fs::read_dir(assets()).expect("the Sigstore corpus") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".sigstore") || name.ends_with(".sigstore.json")) {
            continue;
        }
        let bundle = read_sigstore_bundle(&std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            bundle
                .media_type
                .starts_with("application/vnd.dev.sigstore.bundle"),
            "{name}"
        );
        assert!(!bundle.not_verified.is_empty());
        read += 1;
    }
    assert!(read >= 5, "{read} bundles");
}

/// The target: 100 attested artefacts add under a second to a
/// review. Measured here in whatever profile the tests run (printed); the
/// bound asserted is loose enough for an unoptimised build.
#[test]
fn a_hundred_attested_artefacts_verify_quickly() {
    let (signing, trusted) = ed25519(3);
    let artefacts: Vec<(String, Vec<u8>)> = (0..100)
        .map(|i| {
            (
                format!("dist/app-{i}.tar.gz"),
                format!("artefact {i}").into_bytes(),
            )
        })
        .collect();
    let envelopes: Vec<Vec<u8>> = artefacts
        .chunks(1)
        .map(|one| {
            let payload = statement_v1(one, COMMIT);
            envelope(&payload, &sign_ed25519(&signing, &payload))
        })
        .collect();
    let keys = [trusted];
    let started = std::time::Instant::now();
    let mut checked = 0;
    for bytes in &envelopes {
        let verified = verify_envelope(bytes, &keys).expect("verifies");
        for c in check(&verified, &lookup(&artefacts), Some(COMMIT)) {
            assert!(c.problems.is_empty(), "{c:?}");
            checked += 1;
        }
    }
    let elapsed = started.elapsed();
    println!("{checked} attested artefacts verified in {elapsed:.2?}");
    assert_eq!(checked, 100);
    assert!(elapsed.as_secs_f64() < 10.0, "{elapsed:?}");
}
