//! Group commit for record registration: concurrent registrations are queued to one writer task
//! that registers whatever has gathered — up to [`MAX_BATCH`] records — in one transaction with
//! one signed checkpoint, so the transaction, the checkpoint's signature and the database's
//! single writer are paid once per batch instead of once per record. A batch is all-or-nothing
//! in the store; when it fails, its records are registered one by one so that each request gets
//! its own answer and one bad record never sinks another's.

use tokio::sync::{mpsc, oneshot};
use xueshi_domain::RegionCode;
use xueshi_store::ledger::Inclusion;
use xueshi_store::records::{self, NewRecord};
use xueshi_store::{Db, LedgerSigner, StoreError};

use crate::state::Clock;

/// The most records one transaction takes.
pub const MAX_BATCH: usize = 256;

type Reply = oneshot::Sender<Result<(i64, Inclusion), StoreError>>;

/// A record to write, the region its registrar acts in (for its audit line), and who waits.
type Job = (NewRecord, Option<RegionCode>, Reply);

/// The queue to the writer task.
#[derive(Clone, Debug)]
pub struct Registrations {
    queue: mpsc::Sender<Job>,
}

impl Registrations {
    /// Starts the writer task on the current Tokio runtime.
    pub fn start(db: Db, signer: std::sync::Arc<LedgerSigner>, clock: Clock) -> Self {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_loop(db, signer, clock, jobs));
        Self { queue }
    }

    /// Registers one record (with the others waiting at the same moment), with its audit line
    /// (its registrar acting in `region`), and answers with its id and place in the ledger.
    pub async fn register(
        &self,
        record: NewRecord,
        region: Option<RegionCode>,
    ) -> Result<(i64, Inclusion), StoreError> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Ledger("登记写入任务已停止".to_owned());
        self.queue
            .send((record, region, reply))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn write_loop(
    db: Db,
    signer: std::sync::Arc<LedgerSigner>,
    clock: Clock,
    mut jobs: mpsc::Receiver<Job>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut records = Vec::with_capacity(batch.len());
        let mut regions = Vec::with_capacity(batch.len());
        let mut replies = Vec::with_capacity(batch.len());
        for (record, region, reply) in batch.drain(..) {
            records.push(record);
            regions.push(region);
            replies.push(reply);
        }
        crate::metrics::registry().registration_batch(records.len());
        let trail = records::Trail::PerRecord(&regions);
        match records::register_audited(&db, &signer, &records, clock(), trail).await {
            Ok(written) if written.len() == replies.len() => {
                for (reply, w) in replies.into_iter().zip(written) {
                    let _ = reply.send(Ok(w));
                }
            }
            _ => {
                for ((record, region), reply) in records.into_iter().zip(regions).zip(replies) {
                    let one = records::register_one(&db, &signer, &record, region, clock()).await;
                    let _ = reply.send(one);
                }
            }
        }
    }
}
