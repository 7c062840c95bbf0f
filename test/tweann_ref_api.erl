%% Test helper: the pure Erlang reference under tweann_nif's function names,
%% raising errors as the public API does (badarg/badarith with error_info),
%% so a test can run the same code against `tweann_nif' and this module.
-module(tweann_ref_api).

-export([compile_network/3, compile_network/4, evaluate/2, evaluate_batch/2, evaluate_with_state/3,
         network_info/1,
         network_to_binary/1, network_from_binary/1, cell_to_binary/1, cell_from_binary/1,
         cfc_cell/2, ltc_cell/2, cfc_population/2, ltc_population/2,
         cell_info/1, cell_step/4]).

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

call(F, Args) ->
    try tweann_oracle:call(F, Args)
    catch error:{tweann_error, Class, Pos, Why} ->
            erlang:error(Class, Args, [{error_info, #{module => tweann_error, cause => {Pos, Why}}}])
    end.
