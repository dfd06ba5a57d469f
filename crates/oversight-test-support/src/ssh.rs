//! A waiver approver with a real SSH key, made and used with OpenSSH's
//! `ssh-keygen` (Debian's `openssh-client`), as a person would.

use std::path::{Path, PathBuf};
use std::process::Command;

/// An approver's key pair in a directory.
#[derive(Debug)]
pub struct SshApprover {
    key: PathBuf,
}

impl SshApprover {
    /// Generates an Ed25519 key pair `<dir>/<name>` (no passphrase).
    ///
    /// # Panics
    /// When ssh-keygen is missing or fails.
    pub fn new(dir: &Path, name: &str) -> SshApprover {
        let key = dir.join(name);
        let status = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
            .arg(&key)
            .status()
            .expect("ssh-keygen (Debian's openssh-client) is needed; scripts/test installs it");
        assert!(
            status.success(),
            "ssh-keygen could not make {}",
            key.display()
        );
        SshApprover { key }
    }

    /// The public key file (`<key>.pub`).
    pub fn public_key_file(&self) -> PathBuf {
        self.key.with_extension("pub")
    }

    /// The public key in OpenSSH format.
    pub fn public_key(&self) -> String {
        std::fs::read_to_string(self.public_key_file()).expect("public key")
    }

    /// Signs `text` in `namespace` with `ssh-keygen -Y sign`; returns the
    /// path of the `.sig` file.
    pub fn sign_file(&self, text: &str, namespace: &str) -> PathBuf {
        let dir = self.key.parent().expect("key has a directory");
        let n = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let file = dir.join(format!("approval-{n}.txt"));
        std::fs::write(&file, text).expect("write the text to sign");
        let status = Command::new("ssh-keygen")
            .args(["-q", "-Y", "sign", "-n", namespace, "-f"])
            .arg(&self.key)
            .arg(&file)
            .status()
            .expect("ssh-keygen");
        assert!(status.success(), "ssh-keygen -Y sign failed");
        file.with_extension("txt.sig")
    }

    /// Signs `text` in `namespace`; returns the armored signature.
    pub fn sign(&self, text: &str, namespace: &str) -> String {
        std::fs::read_to_string(self.sign_file(text, namespace)).expect("signature")
    }
}
