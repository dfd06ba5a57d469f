//! Facts about a delivered git repository that later checks (authorship,
//! signing policy, history secrets) build on.

/// A person named in commits.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Person {
    /// Name as written in the commit.
    pub name: String,
    /// E-mail as written in the commit.
    pub email: String,
    /// How many commits carry this identity in this role.
    pub commits: u64,
}

/// What the scan learned from a repository's history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitFacts {
    /// The revision that was scanned, as given (`HEAD` by default).
    pub rev: String,
    /// The commit id the revision resolved to.
    pub commit: String,
    /// Commits reachable from that commit.
    pub commit_count: u64,
    /// Distinct authors, most commits first.
    pub authors: Vec<Person>,
    /// Distinct committers, most commits first.
    pub committers: Vec<Person>,
    /// Commits that carry a signature (`gpgsig`), whether or not it verifies.
    pub signed_commits: u64,
    /// Ids of commits without a signature (at most the first 1000).
    pub unsigned_commit_ids: Vec<String>,
}
