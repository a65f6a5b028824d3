//! Diagnostics rendered for people: the message, `file:line:col` beside the JSON pointer, the
//! offending line quoted and marked, and the hint (colour only when writing to a terminal).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use annotate_snippets::{Level, Renderer, Snippet};
use generator::Diagnostic;

use crate::locate::locate;

/// Renders diagnostics whose locations point into the spec (`#/...`) or into files beside it
/// (`schemas/pet.yaml#/...`, `overlays/fix.yaml#/actions/0`).
pub struct Reporter {
    /// The root spec file, which plain `#/...` locations point into.
    spec: PathBuf,
    /// Folders that relative file labels are resolved against, in order (the spec's, the config's).
    folders: Vec<PathBuf>,
    texts: HashMap<PathBuf, Option<String>>,
    renderer: Renderer,
}

impl Reporter {
    /// A reporter for diagnostics about `spec`; `config` adds its folder for overlay labels.
    pub fn new(spec: &Path, config: Option<&Path>, colour: bool) -> Self {
        let mut folders = vec![parent(spec)];
        if let Some(config) = config {
            folders.push(parent(config));
        }
        // Overlays given on the command line are named as typed, relative to the current folder.
        folders.push(PathBuf::new());
        Self {
            spec: spec.to_path_buf(),
            folders,
            texts: HashMap::new(),
            renderer: if colour {
                Renderer::styled()
            } else {
                Renderer::plain()
            },
        }
    }

    /// An error as text, ending in a newline.
    pub fn error(&mut self, diagnostic: &Diagnostic) -> String {
        self.render(Level::Error, diagnostic)
    }

    /// A warning as text, ending in a newline.
    pub fn warning(&mut self, diagnostic: &Diagnostic) -> String {
        self.render(Level::Warning, diagnostic)
    }

    /// One diagnostic as text, ending in a newline.
    pub fn render(&mut self, level: Level, diagnostic: &Diagnostic) -> String {
        let located = self
            .source(&diagnostic.location)
            .and_then(|(origin, text, pointer)| {
                let position = locate(&text, &pointer)?;
                let line_end = text[position.line_start..]
                    .find('\n')
                    .map_or(text.len(), |end| position.line_start + end);
                let line = text[position.line_start..line_end].to_owned();
                let label = if position.exact {
                    diagnostic.location.clone()
                } else {
                    format!(
                        "{} (the nearest part of it written here)",
                        diagnostic.location
                    )
                };
                Some((origin, line, position, label))
            });
        let mut message = level.title(&diagnostic.message);
        let location_note = format!("at {}", diagnostic.location);
        match &located {
            Some((origin, line, position, label)) => {
                message = message.snippet(
                    Snippet::source(line)
                        .line_start(position.line)
                        .origin(origin)
                        .annotation(level.span(position.span.clone()).label(label)),
                );
            }
            // `#` alone is the whole document: nothing more to say.
            None if diagnostic.location != "#" => {
                message = message.footer(Level::Note.title(&location_note));
            }
            None => {}
        }
        if let Some(hint) = &diagnostic.hint {
            message = message.footer(Level::Help.title(hint));
        }
        format!("{}\n", self.renderer.render(message))
    }

    /// (origin to print, file text, pointer) for a location, when its file can be read.
    fn source(&mut self, location: &str) -> Option<(String, String, String)> {
        let (label, pointer) = location.split_once('#')?;
        let path = if label.is_empty() {
            self.spec.clone()
        } else {
            self.folders
                .iter()
                .map(|folder| folder.join(label))
                .find(|path| path.is_file())?
        };
        let text = self
            .texts
            .entry(path.clone())
            .or_insert_with(|| std::fs::read_to_string(&path).ok())
            .clone()?;
        Some((path.display().to_string(), text, format!("#{pointer}")))
    }
}

/// The folder of `path` (empty for a bare file name, so labels stay relative to the current one).
fn parent(path: &Path) -> PathBuf {
    path.parent().map_or_else(PathBuf::new, Path::to_path_buf)
}
