%% EUnit tests of the facts of the pure Erlang reference (tweann_ref_info).
-module(tweann_ref_info_tests).

-include("tweann_oracle.hrl").

-define(M, tweann_ref_info).

facts_test() ->
    ?assertMatch(#{networks := 0, network_bytes := 0, cells := 0, cell_bytes := 0},
                 ?M:memory_stats()),
    Old = ?M:set_memory_budget(4096),
    ?assertMatch(#{memory_budget := 4096}, ?M:memory_stats()),
    ?assertEqual(4096, ?M:set_memory_budget(Old)),
    ?badarg_says(1, "positive integer", ?M:set_memory_budget(0)),
    ?badarg_at(1, ?M:set_memory_budget(x)),
    ?assertMatch(#{backend := erlang, nif_version := none, target_cpu := none},
                 ?M:build_info()),
    ?assert(io_lib:printable_list(maps:get(version, ?M:build_info()))),
    ?assertEqual(tweann_ref_activation:activations(), maps:get(activations, ?M:build_info())).
