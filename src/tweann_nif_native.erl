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
%% faber-tweann's evolution kernels: novelty, statistics, selection, rewards
%% (references in tweann_ref_novelty, _stats, _selection, _reward).
-export([euclidean_distance/2, euclidean_distance_dirty/2,
         euclidean_distance_batch/2, euclidean_distance_batch_dirty/2,
         knn_novelty/4, knn_novelty_dirty/4, knn_novelty_batch/3, knn_novelty_batch_dirty/3,
         fitness_stats/1, fitness_stats_dirty/1,
         weighted_moving_average/2, weighted_moving_average_dirty/2,
         shannon_entropy/1, shannon_entropy_dirty/1, histogram/4, histogram_dirty/4,
         build_cumulative_fitness/1, build_cumulative_fitness_dirty/1,
         roulette_select/3, roulette_select_dirty/3,
         roulette_select_batch/3, roulette_select_batch_dirty/3,
         tournament_select/2, tournament_select_dirty/2,
         z_score/3, compute_reward_component/2, compute_reward_component_dirty/2,
         compute_weighted_reward/1, compute_weighted_reward_dirty/1]).

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

%% faber-tweann's evolution kernels (block of issue 11).
-spec euclidean_distance(term(), term()) -> term().
euclidean_distance(A, B) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B]).
-spec euclidean_distance_dirty(term(), term()) -> term().
euclidean_distance_dirty(A, B) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B]).
-spec euclidean_distance_batch(term(), term()) -> term().
euclidean_distance_batch(A, B) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B]).
-spec euclidean_distance_batch_dirty(term(), term()) -> term().
euclidean_distance_batch_dirty(A, B) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B]).
-spec knn_novelty(term(), term(), term(), term()) -> term().
knn_novelty(A, B, C, D) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B, C, D]).
-spec knn_novelty_dirty(term(), term(), term(), term()) -> term().
knn_novelty_dirty(A, B, C, D) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B, C, D]).
-spec knn_novelty_batch(term(), term(), term()) -> term().
knn_novelty_batch(A, B, C) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B, C]).
-spec knn_novelty_batch_dirty(term(), term(), term()) -> term().
knn_novelty_batch_dirty(A, B, C) -> not_loaded(tweann_ref_novelty, ?FUNCTION_NAME, [A, B, C]).
-spec fitness_stats(term()) -> term().
fitness_stats(A) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A]).
-spec fitness_stats_dirty(term()) -> term().
fitness_stats_dirty(A) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A]).
-spec weighted_moving_average(term(), term()) -> term().
weighted_moving_average(A, B) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A, B]).
-spec weighted_moving_average_dirty(term(), term()) -> term().
weighted_moving_average_dirty(A, B) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A, B]).
-spec shannon_entropy(term()) -> term().
shannon_entropy(A) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A]).
-spec shannon_entropy_dirty(term()) -> term().
shannon_entropy_dirty(A) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A]).
-spec histogram(term(), term(), term(), term()) -> term().
histogram(A, B, C, D) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A, B, C, D]).
-spec histogram_dirty(term(), term(), term(), term()) -> term().
histogram_dirty(A, B, C, D) -> not_loaded(tweann_ref_stats, ?FUNCTION_NAME, [A, B, C, D]).
-spec build_cumulative_fitness(term()) -> term().
build_cumulative_fitness(A) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A]).
-spec build_cumulative_fitness_dirty(term()) -> term().
build_cumulative_fitness_dirty(A) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A]).
-spec roulette_select(term(), term(), term()) -> term().
roulette_select(A, B, C) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A, B, C]).
-spec roulette_select_dirty(term(), term(), term()) -> term().
roulette_select_dirty(A, B, C) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A, B, C]).
-spec roulette_select_batch(term(), term(), term()) -> term().
roulette_select_batch(A, B, C) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A, B, C]).
-spec roulette_select_batch_dirty(term(), term(), term()) -> term().
roulette_select_batch_dirty(A, B, C) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A, B, C]).
-spec tournament_select(term(), term()) -> term().
tournament_select(A, B) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A, B]).
-spec tournament_select_dirty(term(), term()) -> term().
tournament_select_dirty(A, B) -> not_loaded(tweann_ref_selection, ?FUNCTION_NAME, [A, B]).
-spec z_score(term(), term(), term()) -> term().
z_score(A, B, C) -> not_loaded(tweann_ref_reward, ?FUNCTION_NAME, [A, B, C]).
-spec compute_reward_component(term(), term()) -> term().
compute_reward_component(A, B) -> not_loaded(tweann_ref_reward, ?FUNCTION_NAME, [A, B]).
-spec compute_reward_component_dirty(term(), term()) -> term().
compute_reward_component_dirty(A, B) -> not_loaded(tweann_ref_reward, ?FUNCTION_NAME, [A, B]).
-spec compute_weighted_reward(term()) -> term().
compute_weighted_reward(A) -> not_loaded(tweann_ref_reward, ?FUNCTION_NAME, [A]).
-spec compute_weighted_reward_dirty(term()) -> term().
compute_weighted_reward_dirty(A) -> not_loaded(tweann_ref_reward, ?FUNCTION_NAME, [A]).

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

%% As not_loaded/2, for functions whose reference lives in module Ref.
not_loaded(Ref, Function, Args) ->
    _ = application:load(tweann_nif),
    case application:get_env(tweann_nif, backend, nif) of
        erlang -> apply(Ref, reference_name(Function), Args);
        _ -> erlang:nif_error({tweann_nif_not_loaded, load_status()})
    end.
