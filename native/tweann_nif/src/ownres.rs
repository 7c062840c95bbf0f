//! Resource types this library opens itself, for the values read on every
//! hot call (compiled networks).
//!
//! Reading a rustler resource back (`Term::try_get_resource`) first looks
//! its type up in a hash map keyed by `TypeId` (SipHash, about 25 ns: a
//! tenth of a small network's evaluation, more than the whole of a tiny
//! one's), then calls `enif_get_resource`. An [`OwnType`] keeps the type
//! pointer in a static, opened once at load time, so reading is the
//! `enif_get_resource` call alone. Values are written into the VM's
//! resource memory and dropped in place by the type's destructor, as
//! rustler does; the Erlang side sees the same opaque reference.

use rustler::sys::{
    c_void, enif_alloc_resource, enif_get_resource, enif_make_resource, enif_open_resource_type,
    enif_release_resource, ErlNifEnv, ErlNifResourceFlags, ErlNifResourceType,
};
use rustler::{Env, Term};
use std::ffi::CStr;
use std::marker::PhantomData;
use std::mem::{align_of, size_of, MaybeUninit};
use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

/// The alignment the VM gives resource memory (its data follows a header of
/// pointer-sized fields).
const VM_ALIGN: usize = 8;

/// A resource type holding values of `T`, opened by [`OwnType::open`] in
/// the load hook.
pub struct OwnType<T> {
    name: &'static CStr,
    typ: AtomicPtr<ErlNifResourceType>,
    _values: PhantomData<fn() -> T>,
}

impl<T: Send + Sync + 'static> OwnType<T> {
    /// A type named `name` (unique among this library's resource types).
    pub const fn new(name: &'static CStr) -> Self {
        assert!(align_of::<T>() <= VM_ALIGN, "resource value over-aligned");
        OwnType {
            name,
            typ: AtomicPtr::new(ptr::null_mut()),
            _values: PhantomData,
        }
    }

    /// Opens the type; false if the VM refuses (the library then does not
    /// load). Only from the load hook.
    pub fn open(&self, env: Env) -> bool {
        let mut tried = MaybeUninit::uninit();
        // SAFETY: called from the load hook with its environment; the name
        // is NUL-terminated and 'static; the destructor matches the values
        // `make` writes.
        let typ = unsafe {
            enif_open_resource_type(
                env.as_c_arg(),
                ptr::null(),
                self.name.as_ptr(),
                Some(drop_value::<T>),
                ErlNifResourceFlags::ERL_NIF_RT_CREATE,
                tried.as_mut_ptr(),
            )
        };
        if typ.is_null() {
            return false;
        }
        self.typ.store(typ as *mut _, Ordering::Release);
        true
    }

    fn typ(&self) -> *const ErlNifResourceType {
        self.typ.load(Ordering::Acquire)
    }

    /// `value` in a new resource, as a term (the term holds the only
    /// reference). `None` if the VM cannot allocate it (the value is then
    /// dropped) or the type is not open.
    pub fn make<'a>(&self, env: Env<'a>, value: T) -> Option<Term<'a>> {
        let typ = self.typ();
        if typ.is_null() {
            return None;
        }
        // SAFETY: `typ` is this type, opened with `drop_value::<T>`; the
        // memory is fresh, VM_ALIGN-aligned and `size_of::<T>()` long, so
        // writing a `T` there is sound; the term takes its own reference
        // before ours is released.
        unsafe {
            let obj = enif_alloc_resource(typ, size_of::<T>().max(1));
            if obj.is_null() {
                return None;
            }
            debug_assert_eq!(obj as usize % align_of::<T>(), 0);
            ptr::write(obj as *mut T, value);
            let term = enif_make_resource(env.as_c_arg(), obj);
            enif_release_resource(obj);
            Some(Term::new(env, term))
        }
    }

    /// The value behind `term`, if it is a resource of this type.
    #[inline]
    pub fn get<'a>(&self, term: Term<'a>) -> Option<&'a T> {
        let mut obj: *const c_void = ptr::null();
        // SAFETY: a null type matches no term; a resource of this type holds
        // a `T` written by `make`, alive as long as the term (lifetime 'a).
        let found = unsafe {
            enif_get_resource(
                term.get_env().as_c_arg(),
                term.as_c_arg(),
                self.typ(),
                &mut obj,
            )
        };
        if found == 0 || obj.is_null() {
            None
        } else {
            // SAFETY: as above.
            Some(unsafe { &*(obj as *const T) })
        }
    }
}

/// The destructor: drops the `T` in place (the VM frees the memory).
unsafe extern "C" fn drop_value<T>(_env: *mut ErlNifEnv, obj: *mut c_void) {
    // A panic must not unwind into the VM.
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: `obj` holds a `T` written by `make`, dropped only here.
        unsafe { ptr::drop_in_place(obj as *mut T) }
    });
}
