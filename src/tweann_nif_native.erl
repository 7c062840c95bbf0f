%% @private
%% @doc The module the Rust NIF library binds to. Stubs only.
%%
%% Callers use {@link tweann_nif}, which adds specs, docs, error_info and the
%% choice between normal and dirty entry points. This module exists so that
%% the public module stays ordinary, reloadable Erlang (a Rustler NIF module
%% cannot be upgraded in place).
%%
%% When the library is not loaded, every stub raises
%% `{tweann_nif_not_loaded, Why}'.
%%
%% Reloading this module while its current code has the library bound (for
%% example `l(tweann_nif_native)' in the shell) is refused: a Rustler
%% library cannot be upgraded in place, and a new instance of the module
%% without it would leave every call raising `tweann_nif_not_loaded'. The
%% `-on_load' function then answers `{error, {tweann_nif_reload_refused,
%% Message}}', the code server reports it and the load fails with
%% `{error, on_load_failure}'; the loaded code and library stay in use.
%% To load a new build of the library, restart the node. The choice of the pure Erlang reference
%% instead (`{tweann_nif, [{backend, erlang}]}') is made in {@link tweann_nif}
%% (see `tweann_backend'), never here.
-module(tweann_nif_native).

-export([load_status/0]).
%% Test and diagnostic NIFs (work.rs): dirty calls running and stopped, and
%% the thread CPU time of normal-scheduler entries.
-export([work_stats/0, set_work_profile/1]).
%% NIFs (stubs below).
-export([compile_network/5, compile_network_dirty/5,
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
         memory_stats/0, set_memory_budget/1, build_info/0, impl/0,
         term_reader/1]).
%% Serialization NIFs (issue 15).
-export([network_to_binary/1, network_to_binary_dirty/1, network_from_binary/1,
         network_from_binary_dirty/1, cell_to_binary/1, cell_to_binary_dirty/1,
         cell_from_binary/1, cell_from_binary_dirty/1]).
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
%% The load info: a literal (so it lies in the literal area, with the
%% literal tag on emulators that mark such pointers) holding every kind of
%% term the library's direct term reader meets: lists, an improper tail,
%% floats, small and big integers, tuples of several sizes, atoms, a binary.
%% The load hook checks that the reader reads every subterm of it as the
%% erl_nif API does (native/tweann_nif/src/vmterm.rs).
-define(LOAD_INFO, {tweann_term_sample, [1.5, -2, 7.0e300, -0.0], {3, [0.25 | -0.5]},
                    {{}, {input}, {1, hidden, tanh, 0.5, [{0, 1.0}]}},
                    [(1 bsl 59) - 1, 1 bsl 59, -(1 bsl 59), 1 bsl 64, <<"bin">>]}).

%% @doc `ok' if the native library is loaded, else `{error, Why}'.
-spec load_status() -> ok | {error, term()}.
load_status() ->
    persistent_term:get(?STATUS_KEY, {error, not_attempted}).

init() ->
    case reloading_bound_module() of
        true ->
            %% Keep the current code, which has the library bound.
            {error, {tweann_nif_reload_refused,
                     "tweann_nif_native is bound to the tweann_nif native library, which cannot "
                     "be upgraded in place: the new code of the module was not loaded and the "
                     "current code (and library) stay in use. Restart the node to load a new "
                     "build of the library."}};
        false ->
            Status = try lib_path() of
                         {ok, Path} -> load(Path);
                         {error, _} = Err -> Err
                     catch Class:Reason -> {error, {load_crashed, Class, Reason}}
                     end,
            persistent_term:put(?STATUS_KEY, Status),
            %% Always let the module load: without the library its stubs
            %% explain the failure on every call.
            ok
    end.

%% True when this module is being loaded again while its current code (the
%% instance being replaced) has the library bound.
reloading_bound_module() ->
    erlang:module_loaded(?MODULE) andalso load_status() =:= ok.

load(Path) ->
    case tweann_nif_loader:verify(Path) of
        ok ->
            case erlang:load_nif(Path, ?LOAD_INFO) of
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
-define(NOT_LOADED, erlang:nif_error({tweann_nif_not_loaded, load_status()})).

-spec compile_network(term(), term(), term(), term(), term()) -> term().
compile_network(_, _, _, _, _) -> ?NOT_LOADED.
-spec compile_network_dirty(term(), term(), term(), term(), term()) -> term().
compile_network_dirty(_, _, _, _, _) -> ?NOT_LOADED.
-spec evaluate(term(), term()) -> term().
evaluate(_, _) -> ?NOT_LOADED.
-spec evaluate_dirty(term(), term()) -> term().
evaluate_dirty(_, _) -> ?NOT_LOADED.
-spec evaluate_batch(term(), term()) -> term().
evaluate_batch(_, _) -> ?NOT_LOADED.
-spec evaluate_batch_dirty(term(), term()) -> term().
evaluate_batch_dirty(_, _) -> ?NOT_LOADED.
-spec evaluate_with_state(term(), term(), term()) -> term().
evaluate_with_state(_, _, _) -> ?NOT_LOADED.
-spec evaluate_with_state_dirty(term(), term(), term()) -> term().
evaluate_with_state_dirty(_, _, _) -> ?NOT_LOADED.
-spec network_info(term()) -> term().
network_info(_) -> ?NOT_LOADED.
-spec benchmark_evaluate(term(), term(), term()) -> term().
benchmark_evaluate(_, _, _) -> ?NOT_LOADED.
-spec dot_product(term(), term()) -> term().
dot_product(_, _) -> ?NOT_LOADED.
-spec dot_product_dirty(term(), term()) -> term().
dot_product_dirty(_, _) -> ?NOT_LOADED.
-spec dot_product_flat(term(), term(), term()) -> term().
dot_product_flat(_, _, _) -> ?NOT_LOADED.
-spec dot_product_flat_dirty(term(), term(), term()) -> term().
dot_product_flat_dirty(_, _, _) -> ?NOT_LOADED.
-spec dot_product_batch(term()) -> term().
dot_product_batch(_) -> ?NOT_LOADED.
-spec dot_product_batch_dirty(term()) -> term().
dot_product_batch_dirty(_) -> ?NOT_LOADED.
-spec flatten_weights(term()) -> term().
flatten_weights(_) -> ?NOT_LOADED.
-spec flatten_weights_dirty(term()) -> term().
flatten_weights_dirty(_) -> ?NOT_LOADED.
-spec activate_batch(term(), term()) -> term().
activate_batch(_, _) -> ?NOT_LOADED.
-spec activate_batch_dirty(term(), term()) -> term().
activate_batch_dirty(_, _) -> ?NOT_LOADED.
-spec compatibility_distance(term(), term(), term(), term(), term()) -> term().
compatibility_distance(_, _, _, _, _) -> ?NOT_LOADED.
-spec compatibility_distance_dirty(term(), term(), term(), term(), term()) -> term().
compatibility_distance_dirty(_, _, _, _, _) -> ?NOT_LOADED.
-spec evaluate_cfc(term(), term(), term(), term()) -> term().
evaluate_cfc(_, _, _, _) -> ?NOT_LOADED.
-spec evaluate_cfc_with_weights(term(), term(), term(), term(), term(), term()) -> term().
evaluate_cfc_with_weights(_, _, _, _, _, _) -> ?NOT_LOADED.
-spec evaluate_cfc_with_weights_dirty(term(), term(), term(), term(), term(), term()) -> term().
evaluate_cfc_with_weights_dirty(_, _, _, _, _, _) -> ?NOT_LOADED.
-spec evaluate_ode_with_weights_dirty(term(), term(), term(), term(), term(), term(), term()) -> term().
evaluate_ode_with_weights_dirty(_, _, _, _, _, _, _) -> ?NOT_LOADED.
-spec evaluate_ode(term(), term(), term(), term(), term()) -> term().
evaluate_ode(_, _, _, _, _) -> ?NOT_LOADED.
-spec evaluate_ode_with_weights(term(), term(), term(), term(), term(), term(), term()) -> term().
evaluate_ode_with_weights(_, _, _, _, _, _, _) -> ?NOT_LOADED.
-spec evaluate_cfc_batch(term(), term(), term(), term()) -> term().
evaluate_cfc_batch(_, _, _, _) -> ?NOT_LOADED.
-spec evaluate_cfc_batch_dirty(term(), term(), term(), term()) -> term().
evaluate_cfc_batch_dirty(_, _, _, _) -> ?NOT_LOADED.
-spec cfc_cell(term(), term()) -> term().
cfc_cell(_, _) -> ?NOT_LOADED.
-spec ltc_cell(term(), term()) -> term().
ltc_cell(_, _) -> ?NOT_LOADED.
-spec cfc_population(term(), term()) -> term().
cfc_population(_, _) -> ?NOT_LOADED.
-spec ltc_population(term(), term()) -> term().
ltc_population(_, _) -> ?NOT_LOADED.
-spec cell_step(term(), term(), term(), term()) -> term().
cell_step(_, _, _, _) -> ?NOT_LOADED.
-spec cell_step_dirty(term(), term(), term(), term()) -> term().
cell_step_dirty(_, _, _, _) -> ?NOT_LOADED.
-spec cell_sequence(term(), term(), term(), term()) -> term().
cell_sequence(_, _, _, _) -> ?NOT_LOADED.
-spec cell_sequence_dirty(term(), term(), term(), term()) -> term().
cell_sequence_dirty(_, _, _, _) -> ?NOT_LOADED.
-spec cell_info(term()) -> term().
cell_info(_) -> ?NOT_LOADED.
-spec memory_stats() -> term().
memory_stats() -> ?NOT_LOADED.
-spec set_memory_budget(term()) -> term().
set_memory_budget(_) -> ?NOT_LOADED.
-spec build_info() -> term().
build_info() -> ?NOT_LOADED.
%% @doc The reader of list cells, floats, integers and tuples (not part of
%% the public API; for the tests): `direct' reads the term words (where
%% the load hook verified the layout), `api' calls erl_nif; `query' leaves
%% it. Answers the reader in use.
-spec term_reader(direct | api | query) -> direct | api.
term_reader(_) -> ?NOT_LOADED.
%% @doc Counters of the native scheduling (not part of the public API):
%% `dirty_calls', `dirty_running', `dirty_stopped' (dirty calls that
%% stopped because their caller died), `dirty_units', `handovers', and,
%% while profiling is on, `profiled_calls', `max_normal_cpu_ns' and
%% `max_normal_entry' (the normal-scheduler entry that took the most
%% thread CPU time).
-spec work_stats() -> #{atom() => non_neg_integer() | binary()}.
work_stats() -> ?NOT_LOADED.
%% @doc Turn the profiling of normal-scheduler entries on or off (it costs
%% two clock reads per call) and reset its figures; returns the previous
%% setting.
-spec set_work_profile(boolean()) -> boolean().
set_work_profile(_) -> ?NOT_LOADED.
%% `native' from the library; this stub answers only when it is not loaded:
%% `erlang' when that backend is configured, else the load error.
-spec impl() -> native | erlang.
impl() ->
    case tweann_backend:get() of
        erlang ->
            erlang;
        native ->
            Why = case load_status() of
                      {error, W} -> W;
                      ok -> not_bound
                  end,
            erlang:error({tweann_nif_not_loaded, Why})
    end.
%% Serialization.
-spec network_to_binary(term()) -> term().
network_to_binary(_) -> ?NOT_LOADED.
-spec network_to_binary_dirty(term()) -> term().
network_to_binary_dirty(_) -> ?NOT_LOADED.
-spec network_from_binary(term()) -> term().
network_from_binary(_) -> ?NOT_LOADED.
-spec network_from_binary_dirty(term()) -> term().
network_from_binary_dirty(_) -> ?NOT_LOADED.
-spec cell_to_binary(term()) -> term().
cell_to_binary(_) -> ?NOT_LOADED.
-spec cell_to_binary_dirty(term()) -> term().
cell_to_binary_dirty(_) -> ?NOT_LOADED.
-spec cell_from_binary(term()) -> term().
cell_from_binary(_) -> ?NOT_LOADED.
-spec cell_from_binary_dirty(term()) -> term().
cell_from_binary_dirty(_) -> ?NOT_LOADED.
%% faber-tweann's evolution kernels (block of issue 11).
-spec euclidean_distance(term(), term()) -> term().
euclidean_distance(_, _) -> ?NOT_LOADED.
-spec euclidean_distance_dirty(term(), term()) -> term().
euclidean_distance_dirty(_, _) -> ?NOT_LOADED.
-spec euclidean_distance_batch(term(), term()) -> term().
euclidean_distance_batch(_, _) -> ?NOT_LOADED.
-spec euclidean_distance_batch_dirty(term(), term()) -> term().
euclidean_distance_batch_dirty(_, _) -> ?NOT_LOADED.
-spec knn_novelty(term(), term(), term(), term()) -> term().
knn_novelty(_, _, _, _) -> ?NOT_LOADED.
-spec knn_novelty_dirty(term(), term(), term(), term()) -> term().
knn_novelty_dirty(_, _, _, _) -> ?NOT_LOADED.
-spec knn_novelty_batch(term(), term(), term()) -> term().
knn_novelty_batch(_, _, _) -> ?NOT_LOADED.
-spec knn_novelty_batch_dirty(term(), term(), term()) -> term().
knn_novelty_batch_dirty(_, _, _) -> ?NOT_LOADED.
-spec fitness_stats(term()) -> term().
fitness_stats(_) -> ?NOT_LOADED.
-spec fitness_stats_dirty(term()) -> term().
fitness_stats_dirty(_) -> ?NOT_LOADED.
-spec weighted_moving_average(term(), term()) -> term().
weighted_moving_average(_, _) -> ?NOT_LOADED.
-spec weighted_moving_average_dirty(term(), term()) -> term().
weighted_moving_average_dirty(_, _) -> ?NOT_LOADED.
-spec shannon_entropy(term()) -> term().
shannon_entropy(_) -> ?NOT_LOADED.
-spec shannon_entropy_dirty(term()) -> term().
shannon_entropy_dirty(_) -> ?NOT_LOADED.
-spec histogram(term(), term(), term(), term()) -> term().
histogram(_, _, _, _) -> ?NOT_LOADED.
-spec histogram_dirty(term(), term(), term(), term()) -> term().
histogram_dirty(_, _, _, _) -> ?NOT_LOADED.
-spec build_cumulative_fitness(term()) -> term().
build_cumulative_fitness(_) -> ?NOT_LOADED.
-spec build_cumulative_fitness_dirty(term()) -> term().
build_cumulative_fitness_dirty(_) -> ?NOT_LOADED.
-spec roulette_select(term(), term(), term()) -> term().
roulette_select(_, _, _) -> ?NOT_LOADED.
-spec roulette_select_dirty(term(), term(), term()) -> term().
roulette_select_dirty(_, _, _) -> ?NOT_LOADED.
-spec roulette_select_batch(term(), term(), term()) -> term().
roulette_select_batch(_, _, _) -> ?NOT_LOADED.
-spec roulette_select_batch_dirty(term(), term(), term()) -> term().
roulette_select_batch_dirty(_, _, _) -> ?NOT_LOADED.
-spec tournament_select(term(), term()) -> term().
tournament_select(_, _) -> ?NOT_LOADED.
-spec tournament_select_dirty(term(), term()) -> term().
tournament_select_dirty(_, _) -> ?NOT_LOADED.
-spec z_score(term(), term(), term()) -> term().
z_score(_, _, _) -> ?NOT_LOADED.
-spec compute_reward_component(term(), term()) -> term().
compute_reward_component(_, _) -> ?NOT_LOADED.
-spec compute_reward_component_dirty(term(), term()) -> term().
compute_reward_component_dirty(_, _) -> ?NOT_LOADED.
-spec compute_weighted_reward(term()) -> term().
compute_weighted_reward(_) -> ?NOT_LOADED.
-spec compute_weighted_reward_dirty(term()) -> term().
compute_weighted_reward_dirty(_) -> ?NOT_LOADED.
%% faber-tweann's weight kernels and CfC population.
-spec mutate_weights_seeded(term(), term(), term(), term(), term()) -> term().
mutate_weights_seeded(_, _, _, _, _) -> ?NOT_LOADED.
-spec mutate_weights_seeded_dirty(term(), term(), term(), term(), term()) -> term().
mutate_weights_seeded_dirty(_, _, _, _, _) -> ?NOT_LOADED.
-spec mutate_weights_batch_seeded(term(), term()) -> term().
mutate_weights_batch_seeded(_, _) -> ?NOT_LOADED.
-spec mutate_weights_batch_seeded_dirty(term(), term()) -> term().
mutate_weights_batch_seeded_dirty(_, _) -> ?NOT_LOADED.
-spec mutate_weights_batch_uniform_seeded(term(), term(), term(), term(), term()) -> term().
mutate_weights_batch_uniform_seeded(_, _, _, _, _) -> ?NOT_LOADED.
-spec mutate_weights_batch_uniform_seeded_dirty(term(), term(), term(), term(), term()) -> term().
mutate_weights_batch_uniform_seeded_dirty(_, _, _, _, _) -> ?NOT_LOADED.
-spec random_weights_seeded(term(), term()) -> term().
random_weights_seeded(_, _) -> ?NOT_LOADED.
-spec random_weights_seeded_dirty(term(), term()) -> term().
random_weights_seeded_dirty(_, _) -> ?NOT_LOADED.
-spec random_weights_gaussian_seeded(term(), term(), term(), term()) -> term().
random_weights_gaussian_seeded(_, _, _, _) -> ?NOT_LOADED.
-spec random_weights_gaussian_seeded_dirty(term(), term(), term(), term()) -> term().
random_weights_gaussian_seeded_dirty(_, _, _, _) -> ?NOT_LOADED.
-spec random_weights_batch_seeded(term(), term()) -> term().
random_weights_batch_seeded(_, _) -> ?NOT_LOADED.
-spec random_weights_batch_seeded_dirty(term(), term()) -> term().
random_weights_batch_seeded_dirty(_, _) -> ?NOT_LOADED.
-spec weight_distance_l1(term(), term()) -> term().
weight_distance_l1(_, _) -> ?NOT_LOADED.
-spec weight_distance_l1_dirty(term(), term()) -> term().
weight_distance_l1_dirty(_, _) -> ?NOT_LOADED.
-spec weight_distance_l2(term(), term()) -> term().
weight_distance_l2(_, _) -> ?NOT_LOADED.
-spec weight_distance_l2_dirty(term(), term()) -> term().
weight_distance_l2_dirty(_, _) -> ?NOT_LOADED.
-spec weight_distance_batch(term(), term(), term()) -> term().
weight_distance_batch(_, _, _) -> ?NOT_LOADED.
-spec weight_distance_batch_dirty(term(), term(), term()) -> term().
weight_distance_batch_dirty(_, _, _) -> ?NOT_LOADED.
-spec compile_cfc_pop(term(), term(), term(), term(), term(), term()) -> term().
compile_cfc_pop(_, _, _, _, _, _) -> ?NOT_LOADED.
-spec compile_cfc_pop_dirty(term(), term(), term(), term(), term(), term()) -> term().
compile_cfc_pop_dirty(_, _, _, _, _, _) -> ?NOT_LOADED.
-spec cfc_pop_step(term(), term(), term()) -> term().
cfc_pop_step(_, _, _) -> ?NOT_LOADED.
-spec cfc_pop_step_dirty(term(), term(), term()) -> term().
cfc_pop_step_dirty(_, _, _) -> ?NOT_LOADED.
