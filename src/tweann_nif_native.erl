%% @private
%% @doc The module the Rust NIF library binds to. Stubs only.
%%
%% Callers use {@link tweann_nif}, which adds specs, docs, error_info and the
%% choice between normal and dirty entry points. This module exists so that
%% the public module stays ordinary, reloadable Erlang (a Rustler NIF module
%% cannot be upgraded in place).
%%
%% When the library is not loaded, every stub raises
%% `{tweann_nif_not_loaded, Why}' -- unless the application environment says
%% `{tweann_nif, [{backend, erlang}]}', in which case the call goes to the pure
%% Erlang reference {@link tweann_ref}. That fallback is never silent: it is
%% only taken when configured, and {@link tweann_nif:is_loaded/0} and
%% {@link tweann_nif:build_info/0} report it.
-module(tweann_nif_native).

-export([load_status/0]).
%% NIFs (stubs below).
-export([compile_network/4, compile_network_dirty/4,
         evaluate/2, evaluate_dirty/2,
         evaluate_batch/2, evaluate_batch_dirty/2,
         evaluate_with_state/3, evaluate_with_state_dirty/3,
         network_info/1, benchmark_evaluate/3,
         dot_product/2, dot_product_dirty/2,
         dot_product_flat/3, dot_product_flat_dirty/3,
         dot_product_batch/1, dot_product_batch_dirty/1,
         flatten_weights/1, flatten_weights_dirty/1,
         activate_batch/2, activate_batch_dirty/2,
         compatibility_distance/5, compatibility_distance_dirty/5,
         evaluate_cfc/4, evaluate_cfc_with_weights/6, evaluate_cfc_with_weights_dirty/6,
         evaluate_ode/5, evaluate_ode_with_weights/7, evaluate_ode_with_weights_dirty/7,
         evaluate_cfc_batch/4, evaluate_cfc_batch_dirty/4,
         cfc_cell/2, ltc_cell/2, cfc_population/2, ltc_population/2,
         cell_step/4, cell_step_dirty/4, cell_sequence/4, cell_sequence_dirty/4,
         cell_info/1,
         memory_stats/0, set_memory_budget/1, build_info/0]).
%% faber-tweann's weight kernels and CfC population (seeded forms only:
%% tweann_nif draws the seeds of the unseeded functions).
-export([mutate_weights_seeded/5, mutate_weights_seeded_dirty/5,
         mutate_weights_batch_seeded/2, mutate_weights_batch_seeded_dirty/2,
         mutate_weights_batch_uniform_seeded/5, mutate_weights_batch_uniform_seeded_dirty/5,
         random_weights_seeded/2, random_weights_seeded_dirty/2,
         random_weights_gaussian_seeded/4, random_weights_gaussian_seeded_dirty/4,
         random_weights_batch_seeded/2, random_weights_batch_seeded_dirty/2,
         weight_distance_l1/2, weight_distance_l1_dirty/2,
         weight_distance_l2/2, weight_distance_l2_dirty/2,
         weight_distance_batch/3, weight_distance_batch_dirty/3,
         compile_cfc_pop/6, compile_cfc_pop_dirty/6,
         cfc_pop_step/3, cfc_pop_step_dirty/3]).

-on_load(init/0).

-define(STATUS_KEY, {?MODULE, load_status}).
-define(LIB, "tweann_nif").

%% @doc `ok' if the native library is loaded, else `{error, Why}'.
-spec load_status() -> ok | {error, term()}.
load_status() ->
    persistent_term:get(?STATUS_KEY, {error, not_attempted}).

init() ->
    Status = try lib_path() of
                 {ok, Path} -> load(Path);
                 {error, _} = Err -> Err
             catch Class:Reason -> {error, {load_crashed, Class, Reason}}
             end,
    persistent_term:put(?STATUS_KEY, Status),
    %% Always let the module load: without the library its stubs explain the
    %% failure (or use the configured pure Erlang backend) on every call.
    ok.

load(Path) ->
    case tweann_nif_loader:verify(Path) of
        ok ->
            case erlang:load_nif(Path, 0) of
                ok -> ok;
                {error, {reload, _}} -> ok;
                {error, Why} -> {error, Why}
            end;
        {error, _} = Err ->
            Err
    end.

lib_path() ->
    case code:priv_dir(tweann_nif) of
        {error, bad_name} ->
            %% Not in a code path as an application (e.g. loaded from a bare
            %% ebin): look beside ebin.
            case code:which(?MODULE) of
                Beam when is_list(Beam) ->
                    {ok, filename:join([filename:dirname(filename:dirname(Beam)), "priv", ?LIB])};
                _ ->
                    {error, {no_priv_dir, tweann_nif}}
            end;
        Priv ->
            {ok, filename:join(Priv, ?LIB)}
    end.

%% Stubs: replaced by the NIF library when it loads. The precise specs are on
%% the public wrappers in tweann_nif.
-spec compile_network(term(), term(), term(), term()) -> term().
compile_network(A, B, C, _Budget) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec compile_network_dirty(term(), term(), term(), term()) -> term().
compile_network_dirty(A, B, C, _Budget) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec evaluate(term(), term()) -> term().
evaluate(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec evaluate_dirty(term(), term()) -> term().
evaluate_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec evaluate_batch(term(), term()) -> term().
evaluate_batch(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec evaluate_batch_dirty(term(), term()) -> term().
evaluate_batch_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec evaluate_with_state(term(), term(), term()) -> term().
evaluate_with_state(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec evaluate_with_state_dirty(term(), term(), term()) -> term().
evaluate_with_state_dirty(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec network_info(term()) -> term().
network_info(A) -> not_loaded(?FUNCTION_NAME, [A]).
-spec benchmark_evaluate(term(), term(), term()) -> term().
benchmark_evaluate(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec dot_product(term(), term()) -> term().
dot_product(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec dot_product_dirty(term(), term()) -> term().
dot_product_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec dot_product_flat(term(), term(), term()) -> term().
dot_product_flat(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec dot_product_flat_dirty(term(), term(), term()) -> term().
dot_product_flat_dirty(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec dot_product_batch(term()) -> term().
dot_product_batch(A) -> not_loaded(?FUNCTION_NAME, [A]).
-spec dot_product_batch_dirty(term()) -> term().
dot_product_batch_dirty(A) -> not_loaded(?FUNCTION_NAME, [A]).
-spec flatten_weights(term()) -> term().
flatten_weights(A) -> not_loaded(?FUNCTION_NAME, [A]).
-spec flatten_weights_dirty(term()) -> term().
flatten_weights_dirty(A) -> not_loaded(?FUNCTION_NAME, [A]).
-spec activate_batch(term(), term()) -> term().
activate_batch(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec activate_batch_dirty(term(), term()) -> term().
activate_batch_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec compatibility_distance(term(), term(), term(), term(), term()) -> term().
compatibility_distance(A, B, C, D, E) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E]).
-spec compatibility_distance_dirty(term(), term(), term(), term(), term()) -> term().
compatibility_distance_dirty(A, B, C, D, E) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E]).
-spec evaluate_cfc(term(), term(), term(), term()) -> term().
evaluate_cfc(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec evaluate_cfc_with_weights(term(), term(), term(), term(), term(), term()) -> term().
evaluate_cfc_with_weights(A, B, C, D, E, F) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E, F]).
-spec evaluate_cfc_with_weights_dirty(term(), term(), term(), term(), term(), term()) -> term().
evaluate_cfc_with_weights_dirty(A, B, C, D, E, F) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E, F]).
-spec evaluate_ode_with_weights_dirty(term(), term(), term(), term(), term(), term(), term()) -> term().
evaluate_ode_with_weights_dirty(A, B, C, D, E, F, G) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E, F, G]).
-spec evaluate_ode(term(), term(), term(), term(), term()) -> term().
evaluate_ode(A, B, C, D, E) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E]).
-spec evaluate_ode_with_weights(term(), term(), term(), term(), term(), term(), term()) -> term().
evaluate_ode_with_weights(A, B, C, D, E, F, G) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E, F, G]).
-spec evaluate_cfc_batch(term(), term(), term(), term()) -> term().
evaluate_cfc_batch(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec evaluate_cfc_batch_dirty(term(), term(), term(), term()) -> term().
evaluate_cfc_batch_dirty(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec cfc_cell(term(), term()) -> term().
cfc_cell(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec ltc_cell(term(), term()) -> term().
ltc_cell(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec cfc_population(term(), term()) -> term().
cfc_population(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec ltc_population(term(), term()) -> term().
ltc_population(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec cell_step(term(), term(), term(), term()) -> term().
cell_step(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec cell_step_dirty(term(), term(), term(), term()) -> term().
cell_step_dirty(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec cell_sequence(term(), term(), term(), term()) -> term().
cell_sequence(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec cell_sequence_dirty(term(), term(), term(), term()) -> term().
cell_sequence_dirty(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec cell_info(term()) -> term().
cell_info(A) -> not_loaded(?FUNCTION_NAME, [A]).
-spec memory_stats() -> term().
memory_stats() -> not_loaded(?FUNCTION_NAME, []).
-spec set_memory_budget(term()) -> term().
set_memory_budget(A) -> not_loaded(?FUNCTION_NAME, [A]).
-spec build_info() -> term().
build_info() -> not_loaded(?FUNCTION_NAME, []).
-spec mutate_weights_seeded(term(), term(), term(), term(), term()) -> term().
mutate_weights_seeded(A, B, C, D, E) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E]).
-spec mutate_weights_seeded_dirty(term(), term(), term(), term(), term()) -> term().
mutate_weights_seeded_dirty(A, B, C, D, E) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E]).
-spec mutate_weights_batch_seeded(term(), term()) -> term().
mutate_weights_batch_seeded(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec mutate_weights_batch_seeded_dirty(term(), term()) -> term().
mutate_weights_batch_seeded_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec mutate_weights_batch_uniform_seeded(term(), term(), term(), term(), term()) -> term().
mutate_weights_batch_uniform_seeded(A, B, C, D, E) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E]).
-spec mutate_weights_batch_uniform_seeded_dirty(term(), term(), term(), term(), term()) -> term().
mutate_weights_batch_uniform_seeded_dirty(A, B, C, D, E) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E]).
-spec random_weights_seeded(term(), term()) -> term().
random_weights_seeded(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec random_weights_seeded_dirty(term(), term()) -> term().
random_weights_seeded_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec random_weights_gaussian_seeded(term(), term(), term(), term()) -> term().
random_weights_gaussian_seeded(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec random_weights_gaussian_seeded_dirty(term(), term(), term(), term()) -> term().
random_weights_gaussian_seeded_dirty(A, B, C, D) -> not_loaded(?FUNCTION_NAME, [A, B, C, D]).
-spec random_weights_batch_seeded(term(), term()) -> term().
random_weights_batch_seeded(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec random_weights_batch_seeded_dirty(term(), term()) -> term().
random_weights_batch_seeded_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec weight_distance_l1(term(), term()) -> term().
weight_distance_l1(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec weight_distance_l1_dirty(term(), term()) -> term().
weight_distance_l1_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec weight_distance_l2(term(), term()) -> term().
weight_distance_l2(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec weight_distance_l2_dirty(term(), term()) -> term().
weight_distance_l2_dirty(A, B) -> not_loaded(?FUNCTION_NAME, [A, B]).
-spec weight_distance_batch(term(), term(), term()) -> term().
weight_distance_batch(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec weight_distance_batch_dirty(term(), term(), term()) -> term().
weight_distance_batch_dirty(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec compile_cfc_pop(term(), term(), term(), term(), term(), term()) -> term().
compile_cfc_pop(A, B, C, D, E, F) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E, F]).
-spec compile_cfc_pop_dirty(term(), term(), term(), term(), term(), term()) -> term().
compile_cfc_pop_dirty(A, B, C, D, E, F) -> not_loaded(?FUNCTION_NAME, [A, B, C, D, E, F]).
-spec cfc_pop_step(term(), term(), term()) -> term().
cfc_pop_step(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).
-spec cfc_pop_step_dirty(term(), term(), term()) -> term().
cfc_pop_step_dirty(A, B, C) -> not_loaded(?FUNCTION_NAME, [A, B, C]).

not_loaded(Function, Args) ->
    %% Load the application description (idempotent) so that sys.config and
    %% `-tweann_nif backend erlang' are seen even if the app was not started.
    _ = application:load(tweann_nif),
    case application:get_env(tweann_nif, backend, nif) of
        erlang -> apply(tweann_ref, reference_name(Function), Args);
        _ -> erlang:nif_error({tweann_nif_not_loaded, load_status()})
    end.

%% The reference has one entry point per function: no `_dirty' variants.
reference_name(Function) ->
    Name = atom_to_list(Function),
    case lists:suffix("_dirty", Name) of
        true -> list_to_existing_atom(lists:sublist(Name, length(Name) - 6));
        false -> Function
    end.
