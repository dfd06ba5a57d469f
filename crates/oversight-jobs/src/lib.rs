//! Review jobs: durable rows in the register's own database, claimed under
//! a lease by any number of workers in any number of processes.
//!
//! * [`queue`]: the job table (submit, claim, heartbeat, complete, fail,
//!   release, cancel) on SQLite or PostgreSQL.
//! * [`role`]: a worker's own PostgreSQL role, with least privilege.
//! * [`worker`]: the pool that reviews claimed jobs through the
//!   application layer, in the server or in `oversight worker`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod queue;
pub mod role;
pub mod worker;

pub use queue::{
    AfterFailure, Claim, Depth, Job, JobError, JobStatus, NewJob, Queue, QueueSettings, WhileQueued,
};
pub use worker::{
    JobEvents, NoEvents, PoolOptions, ReviewContext, Stopped, WorkerPool, default_concurrency,
    review_id_for,
};
