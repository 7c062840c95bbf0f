%% Test helper: the pure Erlang reference under tweann_nif's function names,
%% raising errors as the public API does (badarg/badarith with error_info),
%% so a test (or a benchmark) can run the same code against `tweann_nif' and
%% this module.
-module(tweann_ref_api).

-export([compile_network/3, compile_network/4, evaluate/2, evaluate_batch/2, evaluate_with_state/3,
         network_info/1,
         network_to_binary/1, network_from_binary/1, cell_to_binary/1, cell_from_binary/1,
         cfc_cell/2, ltc_cell/2, cfc_population/2, ltc_population/2,
         cell_info/1, cell_step/4]).
%% faber-tweann's weight kernels, CfC population and impl/0.
-export([mutate_weights/4, mutate_weights_seeded/5, mutate_weights_batch/1,
         mutate_weights_batch_uniform/4, random_weights/1, random_weights_seeded/2,
         random_weights_gaussian/3, random_weights_batch/1,
         weight_distance_l1/2, weight_distance_l2/2, weight_distance_batch/3,
         dot_product_preflattened/3, compile_cfc_pop/6, cfc_pop_step/3, impl/0]).

compile_network(A, B, C) -> call(?FUNCTION_NAME, [A, B, C]).
compile_network(A, B, C, D) -> call(?FUNCTION_NAME, [A, B, C, D]).
evaluate(A, B) -> call(?FUNCTION_NAME, [A, B]).
evaluate_batch(A, B) -> call(?FUNCTION_NAME, [A, B]).
evaluate_with_state(A, B, C) -> call(?FUNCTION_NAME, [A, B, C]).
network_info(A) -> call(?FUNCTION_NAME, [A]).
network_to_binary(A) -> call(?FUNCTION_NAME, [A]).
network_from_binary(A) -> call(?FUNCTION_NAME, [A]).
cell_to_binary(A) -> call(?FUNCTION_NAME, [A]).
cell_from_binary(A) -> call(?FUNCTION_NAME, [A]).
cfc_cell(A, B) -> call(?FUNCTION_NAME, [A, B]).
ltc_cell(A, B) -> call(?FUNCTION_NAME, [A, B]).
cfc_population(A, B) -> call(?FUNCTION_NAME, [A, B]).
ltc_population(A, B) -> call(?FUNCTION_NAME, [A, B]).
cell_info(A) -> call(?FUNCTION_NAME, [A]).
cell_step(A, B, C, D) -> call(?FUNCTION_NAME, [A, B, C, D]).

%% These name their twin (no discovery per call), so bench_weights can time
%% the reference through this module. The unseeded ones draw their seed from
%% the caller's rand state as tweann_nif does (tweann_ref_weights:draw_seed/0).
mutate_weights(A, B, C, D) ->
    ref([A, B, C, D], fun() -> tweann_ref_weights:mutate_weights(A, B, C, D) end).
mutate_weights_seeded(A, B, C, D, E) ->
    ref([A, B, C, D, E], fun() -> tweann_ref_weights:mutate_weights_seeded(A, B, C, D, E) end).
mutate_weights_batch(A) ->
    ref([A], fun() -> tweann_ref_weights:mutate_weights_batch(A) end).
mutate_weights_batch_uniform(A, B, C, D) ->
    ref([A, B, C, D], fun() -> tweann_ref_weights:mutate_weights_batch_uniform(A, B, C, D) end).
random_weights(A) ->
    ref([A], fun() -> tweann_ref_weights:random_weights(A) end).
random_weights_seeded(A, B) ->
    ref([A, B], fun() -> tweann_ref_weights:random_weights_seeded(A, B) end).
random_weights_gaussian(A, B, C) ->
    ref([A, B, C], fun() -> tweann_ref_weights:random_weights_gaussian(A, B, C) end).
random_weights_batch(A) ->
    ref([A], fun() -> tweann_ref_weights:random_weights_batch(A) end).
weight_distance_l1(A, B) ->
    ref([A, B], fun() -> tweann_ref_weights:weight_distance_l1(A, B) end).
weight_distance_l2(A, B) ->
    ref([A, B], fun() -> tweann_ref_weights:weight_distance_l2(A, B) end).
weight_distance_batch(A, B, C) ->
    ref([A, B, C], fun() -> tweann_ref_weights:weight_distance_batch(A, B, C) end).
%% tweann_nif:dot_product_preflattened/3 is dot_product_flat/3.
dot_product_preflattened(A, B, C) ->
    ref([A, B, C], fun() -> tweann_ref_dot:dot_product_flat(A, B, C) end).
compile_cfc_pop(A, B, C, D, E, F) ->
    ref([A, B, C, D, E, F], fun() -> tweann_ref_cfcpop:compile_cfc_pop(A, B, C, D, E, F) end).
cfc_pop_step(A, B, C) ->
    ref([A, B, C], fun() -> tweann_ref_cfcpop:cfc_pop_step(A, B, C) end).

%% What tweann_nif:impl/0 answers when the reference serves the calls
%% (tweann_fallback_tests checks that answer on a node configured so).
impl() -> erlang.

call(F, Args) ->
    ref(Args, fun() -> tweann_oracle:call(F, Args) end).

ref(Args, Fun) ->
    try Fun()
    catch error:{tweann_error, Class, Pos, Why} ->
            erlang:error(Class, Args, [{error_info, #{module => tweann_error, cause => {Pos, Why}}}])
    end.
