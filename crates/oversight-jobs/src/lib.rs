//! Review jobs: durable rows in the register's own database, claimed under
//! a lease by any number of workers in any number of processes.
//!
//! * [`queue`]: the job table (submit, claim, heartbeat, complete, fail,
//!   release, cancel) on SQLite or PostgreSQL.
//! * [`worker`]: the pool that reviews claimed jobs through the
//!   application layer, in the server or in `oversight worker`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod queue;
pub mod worker;

pub use queue::{
    AfterFailure, Cancelled, Claim, Depth, Job, JobError, JobStatus, NewJob, Queue, QueueSettings,
};
pub use worker::{
    JobEvents, NoEvents, PoolOptions, ReviewContext, Stopped, WorkerPool, review_id_for,
};
