//! The wallet on disk: an exclusive lock file, atomic replacement, the device secret.
//!
//! Every operation holds an exclusive advisory lock (`flock`) on `WALLET.lock` from reading the
//! wallet to writing it back, so two processes never interleave a read-modify-write. The kernel
//! drops the lock when its holder exits, killed or not, so a crashed process leaves no stale
//! lock. Writes go to a new owner-only temporary file in the same folder, which is synced,
//! renamed over the wallet, and the folder synced: a reader, or the next run after a crash at
//! any point, sees either the whole old wallet or the whole new one.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;
use zeroize::Zeroizing;

use crate::envelope::MAX_WALLET_BYTES;
use crate::WalletError;

/// Length of the device secret.
pub const DEVICE_SECRET_LEN: usize = 32;

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The lock file beside a wallet.
pub fn lock_path(wallet: &Path) -> PathBuf {
    with_suffix(wallet, ".lock")
}

/// The device secret file beside a wallet (see `docs/wallet.md`).
pub fn device_path(wallet: &Path) -> PathBuf {
    with_suffix(wallet, ".device")
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> WalletError + '_ {
    move |source| WalletError::Io {
        path: path.to_owned(),
        source,
    }
}

fn private_options() -> OpenOptions {
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o
}

/// Holds the exclusive lock on a wallet until dropped.
#[derive(Debug)]
pub struct LockGuard {
    _file: File,
}

/// Take the exclusive lock on `wallet`, waiting for another process that holds it.
pub fn lock(wallet: &Path) -> Result<LockGuard, WalletError> {
    let path = lock_path(wallet);
    let file = private_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io(&path))?;
    file.lock_exclusive().map_err(io(&path))?;
    Ok(LockGuard { _file: file })
}

/// Read a wallet file, refusing one larger than the cap.
pub fn read(wallet: &Path) -> Result<Vec<u8>, WalletError> {
    let file = File::open(wallet).map_err(io(wallet))?;
    let mut bytes = Vec::new();
    file.take(MAX_WALLET_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io(wallet))?;
    if bytes.len() as u64 > MAX_WALLET_BYTES {
        return Err(WalletError::Format { what: "size" });
    }
    Ok(bytes)
}

/// Test hook (debug builds only): with `GIAYTO_WALLET_TEST_PAUSE=<point>`, a write stops at that
/// point, creates `WALLET.paused` and waits to be killed, so a test can kill -9 it exactly there.
fn pause_point(wallet: &Path, point: &str) {
    #[cfg(debug_assertions)]
    if std::env::var("GIAYTO_WALLET_TEST_PAUSE").as_deref() == Ok(point) {
        let _ = fs::write(with_suffix(wallet, ".paused"), point);
        loop {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (wallet, point);
}

/// The prefix of the wallet's temporary files; a path that names no file (`/`, `..`) is refused.
fn tmp_prefix(wallet: &Path) -> Result<String, WalletError> {
    let name = wallet.file_name().ok_or_else(|| {
        io(wallet)(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the wallet path names no file",
        ))
    })?;
    Ok(format!(".{}.tmp.", name.to_string_lossy()))
}

fn folder(wallet: &Path) -> &Path {
    wallet
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Replace `wallet` with `bytes` atomically. The caller holds the lock.
pub fn write_atomic(wallet: &Path, bytes: &[u8]) -> Result<(), WalletError> {
    let dir = folder(wallet);
    let prefix = tmp_prefix(wallet)?;
    // Temporary files left by a process killed mid-write: nobody else writes while we hold the
    // lock, so they are garbage.
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    let tmp = dir.join(format!("{prefix}{}", std::process::id()));
    let result = (|| {
        let mut f = private_options().write(true).create_new(true).open(&tmp)?;
        let half = bytes.len() / 2;
        f.write_all(&bytes[..half])?;
        f.flush()?;
        pause_point(wallet, "tmp-partial");
        f.write_all(&bytes[half..])?;
        f.sync_all()?;
        drop(f);
        pause_point(wallet, "tmp-synced");
        fs::rename(&tmp, wallet)?;
        pause_point(wallet, "renamed");
        sync_dir(dir)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io(wallet)(e));
    }
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Create a new device secret for `wallet`, replacing any left from an earlier wallet.
pub fn new_device_secret(wallet: &Path) -> Result<Zeroizing<[u8; DEVICE_SECRET_LEN]>, WalletError> {
    let secret = Zeroizing::new(crate::envelope::random::<DEVICE_SECRET_LEN>()?);
    let path = device_path(wallet);
    write_atomic_plain(&path, secret.as_ref())?;
    Ok(secret)
}

fn write_atomic_plain(path: &Path, bytes: &[u8]) -> Result<(), WalletError> {
    let tmp = with_suffix(path, &format!(".tmp.{}", std::process::id()));
    let result = (|| {
        let mut f = private_options()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        sync_dir(folder(path))
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io(path)(e));
    }
    Ok(())
}

/// The device secret of `wallet`, if its file is there and well-formed.
pub fn device_secret(wallet: &Path) -> Option<Zeroizing<[u8; DEVICE_SECRET_LEN]>> {
    let path = device_path(wallet);
    let f = File::open(path).ok()?;
    let mut buf = Zeroizing::new(Vec::new());
    f.take(DEVICE_SECRET_LEN as u64 + 1)
        .read_to_end(&mut buf)
        .ok()?;
    let secret: [u8; DEVICE_SECRET_LEN] = buf.as_slice().try_into().ok()?;
    Some(Zeroizing::new(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_names_no_file_is_refused_before_anything_is_written() {
        for p in ["/", ".."] {
            assert!(matches!(
                write_atomic(Path::new(p), b"x"),
                Err(WalletError::Io { ref source, .. })
                    if source.kind() == std::io::ErrorKind::InvalidInput
            ));
        }
        assert_eq!(
            tmp_prefix(Path::new("a/vi.giayto")).unwrap(),
            ".vi.giayto.tmp."
        );
    }
}
