//! Node indices to positions: [`IndexMap`] (no table when every index is its
//! position, a direct table when the indices are dense enough, else a
//! sorted list), and the rewriting of a network's connection sources from
//! indices to positions ([`IndexMap::resolve`]).

use crate::error::{try_vec, CoreError};

/// Replaces each source index in `from` (rows `row_start`) by its
/// position. `Ok(true)` if some source stands at or after its reader;
/// `Err((reader, index))` at the first index `get` does not know.
#[inline(always)]
fn resolve(
    row_start: &[u32],
    from: &mut [u32],
    get: impl Fn(u32) -> Option<u32>,
) -> Result<bool, (usize, u32)> {
    let mut later = false;
    for (pos, w) in row_start.windows(2).enumerate() {
        for f in &mut from[w[0] as usize..w[1] as usize] {
            match get(*f) {
                Some(p) => {
                    later |= p as usize >= pos;
                    *f = p;
                }
                None => return Err((pos, *f)),
            }
        }
    }
    Ok(later)
}

/// External node index -> position: none when every node's index is its
/// position (no table), a direct table when the indices are dense enough,
/// else a sorted list searched by bisection.
pub(super) struct IndexMap {
    /// Index `i` is position `i`, for every `i` below the node count.
    identity: bool,
    n: usize,
    direct: Vec<u32>,
    sorted: Vec<(u32, u32)>,
    /// An index given to two nodes (the first found), if any.
    pub(super) duplicate: Option<u32>,
}

impl IndexMap {
    /// Every index is its position, below `n`.
    pub(super) fn identity(n: usize) -> Self {
        IndexMap {
            identity: true,
            n,
            direct: Vec::new(),
            sorted: Vec::new(),
            duplicate: None,
        }
    }

    /// The map of the nodes' indices (`index[pos]`), a table if it fits
    /// `budget` bytes; a repeated index is kept in `duplicate`.
    pub(super) fn new(index: &[u32], budget: usize) -> Result<Self, CoreError> {
        let n = index.len();
        if index.iter().enumerate().all(|(p, &i)| i as usize == p) {
            return Ok(IndexMap::identity(n));
        }
        let max = index.iter().copied().max().unwrap_or(0) as usize;
        let mut duplicate = None;
        if max < 4 * n + 1024 && (max + 1) * 4 <= budget.max(64 * 1024) {
            let mut direct = try_vec::<u32>(max + 1, "the node index table")?;
            direct.resize(max + 1, u32::MAX);
            for (pos, &i) in index.iter().enumerate() {
                if direct[i as usize] != u32::MAX {
                    duplicate.get_or_insert(i);
                }
                direct[i as usize] = pos as u32;
            }
            Ok(IndexMap {
                identity: false,
                n,
                direct,
                sorted: Vec::new(),
                duplicate,
            })
        } else {
            let mut sorted = try_vec::<(u32, u32)>(n, "the node index table")?;
            sorted.extend(index.iter().enumerate().map(|(p, &i)| (i, p as u32)));
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
                duplicate = Some(w[0].0);
            }
            Ok(IndexMap {
                identity: false,
                n,
                direct: Vec::new(),
                sorted,
                duplicate,
            })
        }
    }

    /// Replaces each source index in `from` (rows `row_start`) by its
    /// position, with one loop per kind of map (no test of the kind per
    /// connection). `Ok(true)` if some source stands at or after its
    /// reader; `Err((reader, index))` at the first unknown index.
    pub(super) fn resolve(
        &self,
        row_start: &[u32],
        from: &mut [u32],
    ) -> Result<bool, (usize, u32)> {
        let n = self.n;
        if self.identity {
            resolve(row_start, from, |i| ((i as usize) < n).then_some(i))
        } else if !self.direct.is_empty() {
            resolve(row_start, from, |i| {
                self.direct
                    .get(i as usize)
                    .copied()
                    .filter(|&p| p != u32::MAX)
            })
        } else {
            resolve(row_start, from, |i| self.get(i))
        }
    }

    /// The position of the node with index `idx`.
    #[inline]
    pub(super) fn get(&self, idx: u32) -> Option<u32> {
        if self.identity {
            ((idx as usize) < self.n).then_some(idx)
        } else if !self.direct.is_empty() {
            self.direct
                .get(idx as usize)
                .copied()
                .filter(|&p| p != u32::MAX)
        } else {
            self.sorted
                .binary_search_by_key(&idx, |e| e.0)
                .ok()
                .map(|k| self.sorted[k].1)
        }
    }
}
