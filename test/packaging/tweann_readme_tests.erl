%% The README's store example compiles and runs as written: the first
%% ```erlang block of its "Genotype storage without Mnesia" section is
%% compiled as a module (with include/tweann_records.hrl through
%% include_lib, as a user's project would) and called.
-module(tweann_readme_tests).

-include_lib("eunit/include/eunit.hrl").
-include("../../include/tweann_records.hrl").

repo_root() ->
    filename:dirname(filename:dirname(filename:dirname(filename:absname(?FILE)))).

%% The text of the first ```erlang block after Heading in README.md.
readme_block(Heading) ->
    {ok, Md} = file:read_file(filename:join(repo_root(), "README.md")),
    [_, Section] = string:split(Md, Heading),
    [_, AfterFence] = string:split(Section, "```erlang\n"),
    [Code, _] = string:split(AfterFence, "\n```"),
    unicode:characters_to_list(Code).

store_example_compiles_and_runs_test_() ->
    {setup,
     fun() -> {ok, Apps} = application:ensure_all_started(tweann_nif), Apps end,
     fun(_) -> ok = tweann_store:clear(), ok = tweann_innovation:reset() end,
     fun() ->
             Code = readme_block("## Genotype storage without Mnesia"),
             Dir = filename:join(tmp_dir(), "tweann_readme_" ++
                                     integer_to_list(erlang:unique_integer([positive]))),
             File = filename:join(Dir, "my_evolution.erl"),
             ok = filelib:ensure_dir(File),
             ok = file:write_file(File, Code),
             try
                 {ok, Mod, Bin, Warnings} =
                     compile:file(File, [binary, return_errors, return_warnings,
                                         warnings_as_errors]),
                 ?assertEqual([], Warnings),
                 ?assertEqual(my_evolution, Mod),
                 {module, Mod} = code:load_binary(Mod, File, Bin),
                 ok = tweann_store:clear(),
                 ok = tweann_innovation:reset(),
                 {Agent, [N, I, O]} = Mod:step(agent_a, agent_b),
                 ?assertMatch(#agent{id = agent_a, evo_hist = [{add_bias, {agent_a, n1}}]}, Agent),
                 ?assertEqual([N + 1, N + 2], [I, O]),
                 ?assertEqual(undefined, tweann_store:read({agent, agent_b})),
                 ?assertMatch(#neuron{}, tweann_store:read({neuron, {agent_a, n1}}))
             after
                 _ = code:purge(my_evolution),
                 _ = code:delete(my_evolution),
                 _ = file:delete(File),
                 _ = file:del_dir(Dir)
             end
     end}.

%% The shipped records put the fields the default sweep tidies where it
%% expects them.
records_match_default_sweep_test() ->
    ?assertEqual([{agent, [{ids, #agent.offspring_ids}, {ids, #agent.parent_ids}]},
                  {specie, [{ids, #specie.all_agent_ids}, {ids, #specie.agent_ids},
                            {clear, #specie.dead_pool}]}],
                 tweann_store_sweep:default_fields()).

tmp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        D -> D
    end.
