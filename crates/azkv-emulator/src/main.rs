//! The `azkv-emulator` binary: parses flags, starts the emulator, prints the ready line and
//! stops cleanly on SIGINT or SIGTERM.

use azkv_emulator::{parse_args, Command, Emulator, USAGE};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("azkv-emulator {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("azkv-emulator: {message}");
            return ExitCode::from(2);
        }
    };
    let filter = std::env::var("AZKV_EMULATOR_LOG").unwrap_or_else(|_| "info".to_owned());
    let level = filter.parse().unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    let emulator = match Emulator::start(*config).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("azkv-emulator: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Handlers are installed before the ready line, so a signal sent right after it is seen.
    let stop = match Signals::install() {
        Ok(stop) => stop,
        Err(err) => {
            eprintln!("azkv-emulator: cannot install signal handlers: {err}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", emulator.ready_line());
    stop.wait().await;
    tracing::info!("stopping");
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere).
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            if let Err(err) = tokio::signal::ctrl_c().await {
                eprintln!("azkv-emulator: {err}");
            }
        }
    }
}
