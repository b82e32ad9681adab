//! A generational slab: dense storage for connections and sessions, addressed by `u64`
//! keys that never alias (a key of a removed entry stays invalid after the slot is reused).

/// Storage indexed by generational keys (`index | generation << 32`).
#[derive(Debug)]
pub(super) struct Slab<T> {
    entries: Vec<Entry<T>>,
    free: Vec<u32>,
    len: usize,
}

#[derive(Debug)]
struct Entry<T> {
    generation: u32,
    value: Option<T>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            entries: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }
}

fn split(key: u64) -> (usize, u32) {
    ((key & 0xffff_ffff) as usize, (key >> 32) as u32)
}

impl<T> Slab<T> {
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Inserts `value` and returns its key.
    pub(super) fn insert(&mut self, value: T) -> u64 {
        self.len += 1;
        if let Some(index) = self.free.pop() {
            if let Some(e) = self.entries.get_mut(index as usize) {
                e.generation = e.generation.wrapping_add(1);
                e.value = Some(value);
                return u64::from(index) | (u64::from(e.generation) << 32);
            }
        }
        let index = self.entries.len() as u32;
        self.entries.push(Entry {
            generation: 1,
            value: Some(value),
        });
        u64::from(index) | (1 << 32)
    }

    pub(super) fn get(&self, key: u64) -> Option<&T> {
        let (i, g) = split(key);
        self.entries
            .get(i)
            .filter(|e| e.generation == g)
            .and_then(|e| e.value.as_ref())
    }

    pub(super) fn get_mut(&mut self, key: u64) -> Option<&mut T> {
        let (i, g) = split(key);
        self.entries
            .get_mut(i)
            .filter(|e| e.generation == g)
            .and_then(|e| e.value.as_mut())
    }

    pub(super) fn remove(&mut self, key: u64) -> Option<T> {
        let (i, g) = split(key);
        let e = self.entries.get_mut(i).filter(|e| e.generation == g)?;
        let v = e.value.take()?;
        self.free.push(i as u32);
        self.len -= 1;
        Some(v)
    }

    /// Keys and values of every live entry.
    pub(super) fn iter(&self) -> impl Iterator<Item = (u64, &T)> {
        self.entries.iter().enumerate().filter_map(|(i, e)| {
            e.value
                .as_ref()
                .map(|v| (i as u64 | (u64::from(e.generation) << 32), v))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Slab;

    #[test]
    fn keys_do_not_alias_after_reuse() {
        let mut s = Slab::default();
        let a = s.insert("a");
        assert_eq!(s.remove(a), Some("a"));
        let b = s.insert("b");
        assert_ne!(a, b);
        assert_eq!(s.get(a), None);
        assert_eq!(s.get(b), Some(&"b"));
        assert_eq!(s.len(), 1);
        assert_eq!(s.iter().map(|(k, _)| k).collect::<Vec<_>>(), vec![b]);
    }
}
