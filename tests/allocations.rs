//! The embedded default rules are a `static` built by the compiler: getting them allocates
//! nothing (the performance issue's "start-up constructs nothing from it"). A counting
//! allocator, per thread so tests running beside this one do not disturb the count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use mlstack::rules::{DEFAULT_RULES_NAME, DEFAULT_RULES_YAML, default_rules, load_rules};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged; the count is a
// thread-local cell without a destructor, so counting never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let value = f();
    (value, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn the_embedded_rules_cost_no_allocation() {
    let (rules, count) = allocations_of(default_rules);
    assert_eq!(count, 0, "default_rules() allocated");
    // A copy and its drop stay free too: every text and list is borrowed.
    let (copy, count) = allocations_of(|| rules.clone());
    assert_eq!(count, 0, "copying the embedded rules allocated");
    drop(copy);
    assert!(rules.questions.len() > 1 && !rules.rules.is_empty());
}

#[test]
fn the_count_sees_a_loaded_rule_file() {
    // The same rules loaded from YAML (what `--rules FILE` does) own their texts.
    let (loaded, count) = allocations_of(|| {
        load_rules(DEFAULT_RULES_NAME, DEFAULT_RULES_YAML.as_bytes()).expect("default rules load")
    });
    assert!(count > 1000, "only {count} allocations counted");
    assert_eq!(loaded, default_rules());
}
